// `trove serve`: port parsing, finding the built UI, and a whole run in-process (no model:
// the bridge still serves, and says why indexing cannot run).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmdServe, findRendererDir, parsePort } from '../../../main/cli/serve/command';
import { HELP } from '../../../main/cli/main';
import { tempDir } from '../../support/tmp';

describe('trove serve', () => {
  it('parses --port', () => {
    expect(parsePort(undefined)).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort(true, ['0'])).toBe(0);
    for (const bad of ['-1', '65536', 'abc', '1.5', '']) expect(() => parsePort(bad), bad).toThrow(/--port must be a number/);
  });

  it('finds the UI through $TROVE_UI_DIR or next to the sources, and is listed in --help', () => {
    expect(findRendererDir({ TROVE_UI_DIR: '/definitely/not/here' })).not.toBe('/definitely/not/here');
    expect(HELP).toMatch(/serve \[--port N\]/);
  });

  it('serves until told to stop, printing the URL with the token; without a model the API still answers', async () => {
    const tmp = tempDir('trove-serve-');
    let out = '';
    let err = '';
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const done = cmdServe({
      dataDir: join(tmp.path, 'data'),
      port: '0',
      loadModel: async () => {
        throw new Error('no model here');
      },
      out: { write: (s: string) => (out += s) },
      err: { write: (s: string) => (err += s) },
      until,
    });
    try {
      for (let i = 0; i < 200 && !/token=/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)/.exec(out);
      expect(m, out + err).not.toBeNull();
      expect(err).toMatch(/no model could be loaded \(no model here\)/);
      const call = (method: string) =>
        fetch(`${m![1]}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${m![2]}`, 'Content-Type': 'application/json' }, body: '{}' });
      const status = await call('status');
      expect(status.status).toBe(200);
      expect(((await status.json()) as { model: unknown }).model).toBeNull();
      const index = await call('startIndexing');
      expect(index.status).toBe(503);
      expect(((await index.json()) as { error: { code: string; message: string } }).error.code).toBe('unavailable');
    } finally {
      stop();
      expect(await done).toBe(0);
      tmp.cleanup();
    }
  });
});
