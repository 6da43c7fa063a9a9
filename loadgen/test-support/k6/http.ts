/**
 * TEST STAND-IN for `k6/http`: a synchronous `post` as k6 offers it, made with curl in a child process (so the test's
 * ingest stand-in must run off the main thread: stand-in-thread.ts). Only what the exported script uses.
 */
import { execFileSync } from 'node:child_process';

export interface StandInResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const calls: { url: string; body: string; headers: Record<string, string> }[] = [];

function post(url: string, body: string, params: { headers: Record<string, string> }): StandInResponse {
  calls.push({ url, body, headers: params.headers });
  const args = ['-s', '-i', '-X', 'POST', '--data-binary', '@-', '--max-time', '10'];
  for (const [k, v] of Object.entries(params.headers)) args.push('-H', `${k}: ${v}`);
  let out: string;
  try {
    out = execFileSync('curl', [...args, url], { input: body, encoding: 'utf8' });
  } catch {
    return { status: 0, headers: {}, body: '' };
  }
  const [head = '', ...rest] = out.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: rest.join('\r\n\r\n') };
}

export default { post };
