/**
 * What the doctor prints comes largely from the network: header values (`Location`,
 * `Content-Type`, `x-http2-preload`), link targets, the page's tags. A hostile server can
 * put terminal controls in them: over HTTP/1.1 a header byte 0x9B reaches Node as U+009B,
 * the 8-bit CSI that many terminals obey (`\x9b2J` clears the screen), and over HTTP/2 or
 * in a page's body an ESC can come too. So every control is shown, never obeyed: C0 (tab
 * and newline included: a value has no business starting a line of the report), DEL, C1,
 * and Unicode's bidirectional overrides and line separators, which can make a line read
 * differently from what it holds.
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with each control written as an escape: `\x1b`, `\x9b`, `\u202e`. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (control) => {
    const code = control.charCodeAt(0);
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

/**
 * JSON a terminal can show as it is. `JSON.stringify` escapes C0 but leaves DEL, C1 and the
 * bidirectional controls raw; escaped as `\u…`, they still parse back to the same values.
 * (Outside strings JSON has only ASCII, so every match is inside one.)
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(LEFT_RAW_BY_JSON, (control) => `\\u${hex(control.charCodeAt(0), 4)}`);
}

/** CONTROLS but C0, which JSON.stringify escapes in strings (and whose newline lays out the JSON). */
const LEFT_RAW_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}
