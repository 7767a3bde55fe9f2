/**
 * Turns for CPU-heavy work, shared fairly between clients. Answering a question runs on the one event loop,
 * and an answer from memory or from the built-in embedder never really waits: three hundred questions read in
 * one go would run back to back, in arrival order, and nobody else's request is even read meanwhile. Here at
 * most one answer starts per turn of the event loop (plus one from the queue), so new requests are read in
 * between; waiting work is taken one client at a time, in turn: another user waits for about one answer per
 * busy client, not for the whole burst.
 */
export interface FairQueue {
  /** waits for a turn; call the returned function when done */
  acquire(client: string | undefined): Promise<() => void>;
  /** answers being worked on, and waiting */
  load(): { running: number; waiting: number };
}

export function fairQueue(concurrency = 2): FairQueue {
  let running = 0;
  let waiting = 0;
  /** an answer already started in this turn of the event loop */
  let turnTaken = false;
  let pumping = false;
  /** per client, in turn order: the first key with work goes next, then moves to the back */
  const queues = new Map<string, (() => void)[]>();

  const takeTurn = () => {
    if (turnTaken) return;
    turnTaken = true;
    setImmediate(() => {
      turnTaken = false;
    });
  };

  /** one waiting answer per turn of the event loop, clients in turn */
  const pump = () => {
    if (pumping) return;
    pumping = true;
    setImmediate(() => {
      pumping = false;
      if (running >= concurrency) return;
      const first = queues.entries().next();
      if (first.done) return;
      const [client, list] = first.value;
      const go = list.shift()!;
      queues.delete(client);
      if (list.length) queues.set(client, list); // to the back of the turn order
      waiting--;
      running++;
      go();
      if (waiting) pump();
    });
  };

  const release = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      running--;
      if (waiting) pump();
    };
  };

  return {
    async acquire(client) {
      if (running < concurrency && waiting === 0 && !turnTaken) {
        takeTurn();
        running++;
        return release();
      }
      const key = client ?? '';
      await new Promise<void>((resolve) => {
        const list = queues.get(key);
        if (list) list.push(resolve);
        else queues.set(key, [resolve]);
        waiting++;
        pump();
      });
      return release();
    },
    load: () => ({ running, waiting }),
  };
}
