import escapeHtml from 'escape-html';

/**
 * The body that finishes a flushed 200 when the handler redirects: its status and
 * `Location` can no longer be sent, so the page itself sends the browser on, at once
 * (meta refresh) or by hand (the link).
 */
export function redirectPage(location: string): string {
  // A refresh URL that starts with a quote would lose it to the refresh parser.
  const url = escapeHtml(location.replace(/^["']/, (quote) => (quote === '"' ? '%22' : '%27')));
  return (
    `<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0; url=${url}">` +
    `<title>Redirecting</title></head><body><p>Redirecting to <a href="${url}">${url}</a>.</p></body></html>\n`
  );
}
