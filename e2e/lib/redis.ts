import { connect } from 'node:net';

// Just enough of Redis' protocol (RESP) to read what ArgoCD caches there: KEYS and GET on one
// connection per command. ArgoCD keeps its resource trees (what its UI shows) in Redis, not in
// the Application resources.

type Reply = Buffer | Reply[] | string | number | null;

export async function redisCommand(port: number, ...args: string[]): Promise<Reply> {
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`redis ${args[0]}: no answer in 10s`)));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const parsed = parse(data, 0);
      if (parsed) {
        socket.end();
        if (typeof parsed.value === 'string' && parsed.error) reject(new Error(`redis ${args[0]}: ${parsed.value}`));
        else resolve(parsed.value);
      }
    });
    socket.write(request);
  });
}

/** One reply starting at `at`, or undefined while it is incomplete. */
function parse(data: Buffer, at: number): { value: Reply; end: number; error?: boolean } | undefined {
  const lineEnd = data.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(data[at] ?? 0);
  const line = data.subarray(at + 1, lineEnd).toString('utf8');
  switch (type) {
    case '+':
      return { value: line, end: lineEnd + 2 };
    case '-':
      return { value: line, end: lineEnd + 2, error: true };
    case ':':
      return { value: Number(line), end: lineEnd + 2 };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: lineEnd + 2 };
      const start = lineEnd + 2;
      if (data.length < start + length + 2) return undefined;
      return { value: data.subarray(start, start + length), end: start + length + 2 };
    }
    case '*': {
      const count = Number(line);
      const items: Reply[] = [];
      let next = lineEnd + 2;
      for (let i = 0; i < count; i++) {
        const item = parse(data, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.end;
      }
      return { value: items, end: next };
    }
    default:
      throw new Error(`redis: unexpected reply type ${type}`);
  }
}
