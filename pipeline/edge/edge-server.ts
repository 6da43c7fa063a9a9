import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyRequest } from './classify.ts';
import type { AwsService, EdgeBackend, EdgeMiddleware, EdgeRequest, EdgeResponse } from './edge-types.ts';

export interface EdgeOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** A backend per service: an in-process handler, or the base URL of an emulator to forward to. */
  backends: Partial<Record<AwsService, EdgeBackend | string>>;
  /** Applied outermost first, e.g. fault injection, then the quota gateway. */
  middleware?: EdgeMiddleware[];
}

export interface RunningEdge {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * One port for every service, routed as LocalStack's 4566 is, so any AWS SDK or CLI pointed at it works. Bodies are
 * buffered: the AWS JSON APIs cap requests at a few MB, and the gateway must read them whole to apply limits.
 */
export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const handlers = new Map<AwsService, EdgeBackend>();
  for (const [service, backend] of Object.entries(options.backends) as Array<[AwsService, EdgeBackend | string]>) {
    handlers.set(service, typeof backend === 'string' ? forwardTo(backend, agent) : backend);
  }
  const dispatch: EdgeBackend = async (req) => {
    const handler = handlers.get(req.service);
    if (!handler) {
      return { status: 501, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ message: `no ${req.service} backend on this edge` })) };
    }
    return handler(req);
  };
  const chain = (options.middleware ?? []).reduceRight<EdgeBackend>((next, mw) => (req) => mw(req, next), dispatch);

  const server = createServer(async (incoming, outgoing) => {
    try {
      const body = await readBody(incoming);
      const url = incoming.url ?? '/';
      if (url === '/_ingestlab/health') {
        outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ services: [...handlers.keys()] }));
        return;
      }
      // LocalStack's health route and shape, so tools (and our localstack target) that check it work against this edge.
      if (url === '/_localstack/health' && incoming.method === 'GET') {
        const services = Object.fromEntries([...handlers.keys()].map((s) => [s, 'running']));
        outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ services, edition: 'ingestlab-edge', version: '0' }));
        return;
      }
      const { service, operation } = classifyRequest(incoming.headers, url);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(incoming.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const res = await chain({ service, operation, method: incoming.method ?? 'GET', url, headers, body });
      outgoing.writeHead(res.status, { ...res.headers, 'content-length': String(res.body.length) }).end(res.body);
    } catch (error) {
      if (!outgoing.headersSent) {
        outgoing.writeHead(500, { 'content-type': 'application/json' });
      }
      outgoing.end(JSON.stringify({ __type: 'InternalFailure', message: (error as Error).message }));
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

/** Forwards a request unchanged to an emulator; hop-by-hop headers are dropped, the signature is left as it is. */
export function forwardTo(baseUrl: string, agent: Agent): EdgeBackend {
  const base = new URL(baseUrl);
  return (req: EdgeRequest) =>
    new Promise<EdgeResponse>((resolve, reject) => {
      const headers = { ...req.headers };
      delete headers['connection'];
      delete headers['transfer-encoding'];
      headers['content-length'] = String(req.body.length);
      const upstream = httpRequest(
        { host: base.hostname, port: base.port, method: req.method, path: req.url, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v === undefined || k === 'connection' || k === 'transfer-encoding' || k === 'content-length') continue;
              out[k] = Array.isArray(v) ? v.join(', ') : v;
            }
            resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(req.body);
    });
}
