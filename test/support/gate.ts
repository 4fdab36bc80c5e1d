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

/**
 * Opens once `count` parties have arrived: lets a test hold every handler of a batch of
 * requests until all of them are running, without timing anything.
 */
export class Barrier {
  private arrived = 0;
  private readonly gate = new Gate();

  constructor(private readonly count: number) {
    if (count <= 0) this.gate.open();
  }

  /** Counts one arrival and resolves once everyone has arrived. */
  arrive(): Promise<void> {
    this.arrived += 1;
    if (this.arrived >= this.count) this.gate.open();
    return this.gate.opened;
  }

  /** Lets everyone through at once (a failed test must not leave handlers waiting). */
  release(): void {
    this.gate.open();
  }
}
