import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP hop in front of the real Stepwise server that can answer the first requests itself
 * (a 503 from a load balancer, say) and records every body it forwards. The network between the
 * SDK and the server is the boundary here; the server behind it is real.
 */
export interface FrontDoor {
  url: string;
  bodies: string[];
  statuses: number[];
  close(): Promise<void>;
}

export async function startFrontDoor(
  target: string,
  failFirst: { count: number; status: number; retryAfter?: string } = { count: 0, status: 503 },
): Promise<FrontDoor> {
  const bodies: string[] = [];
  const statuses: number[] = [];
  let seen = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      if (seen++ < failFirst.count) {
        statuses.push(failFirst.status);
        res.writeHead(failFirst.status, {
          'content-type': 'application/json',
          ...(failFirst.retryAfter ? { 'retry-after': failFirst.retryAfter } : {}),
        });
        res.end(JSON.stringify({ error: { code: 'unavailable', message: 'try again' } }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type']) if (req.headers[name]) headers[name] = String(req.headers[name]);
      fetch(`${target}${req.url}`, { method: req.method, headers, body }).then(
        async (upstream) => {
          statuses.push(upstream.status);
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          res.end(await upstream.text());
        },
        () => {
          statuses.push(502);
          res.writeHead(502).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    statuses,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
