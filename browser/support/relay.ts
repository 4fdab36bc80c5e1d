import { connect, createServer, type Socket } from 'node:net';

export interface LinkShape {
  /** Round-trip time added to every byte, in ms (half each way). */
  readonly rttMs: number;
  /** Bandwidth of each direction, in bits per second. */
  readonly bitsPerSecond: number;
}

export interface RunningRelay {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 that delays and rate-limits every byte both ways, like a slow
 * link between the browser and the proxy. It shapes all traffic, the navigation and its
 * 103 included, which DevTools' network emulation does not promise for early hints.
 */
export async function startRelay(targetPort: number, shape: LinkShape): Promise<RunningRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    shapedPipe(client, upstream, shape);
    shapedPipe(upstream, client, shape);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Sends each packet-sized piece when the line is free, and delivers it half an RTT later,
 * strictly in order: one timer per direction walks a queue. A timer per piece can fire out
 * of order (Node counts a timer from the event loop's whole-millisecond clock, the due times
 * here are sub-millisecond), and with one per piece the matrix saw now and then a TLS error
 * (ERR_SSL_PROTOCOL_ERROR) or a page that never finished loading.
 */
function shapedPipe(from: Socket, to: Socket, shape: LinkShape): void {
  const bytesPerMs = shape.bitsPerSecond / 8 / 1000;
  const oneWayMs = shape.rttMs / 2;
  let lineFreeAt = 0;
  // Due times only grow, so the head of the queue is always the next to deliver.
  const queue: { due: number; piece: Buffer | undefined }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const pump = () => {
    timer = undefined;
    while (queue.length > 0 && queue[0].due <= performance.now()) {
      const { piece } = queue.shift()!;
      if (to.destroyed) continue;
      if (piece) to.write(piece);
      else to.end();
    }
    if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0].due - performance.now()));
  };
  const deliver = (due: number, piece: Buffer | undefined) => {
    queue.push({ due, piece });
    timer ??= setTimeout(pump, Math.max(0, due - performance.now()));
  };
  from.on('data', (chunk: Buffer) => {
    for (let offset = 0; offset < chunk.length; offset += 1400) {
      const piece = chunk.subarray(offset, offset + 1400);
      lineFreeAt = Math.max(performance.now(), lineFreeAt) + piece.length / bytesPerMs;
      deliver(lineFreeAt + oneWayMs, piece);
    }
  });
  from.on('end', () => deliver(Math.max(performance.now(), lineFreeAt) + oneWayMs, undefined));
}
