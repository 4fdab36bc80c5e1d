/**
 * A promise a handler awaits and a test opens: proves ordering ("the client saw the
 * headers while the handler was still waiting") without timing anything.
 */
export class Gate {
  readonly opened: Promise<void>;
  open!: () => void;

  constructor() {
    this.opened = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  /** A gate that is already open, for requests that should not wait. */
  static open(): Gate {
    const gate = new Gate();
    gate.open();
    return gate;
  }
}
