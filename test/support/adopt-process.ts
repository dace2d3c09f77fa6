// Adopts a model version in a process of its own, so that a test can kill it mid-adoption:
//   node --import tsx test/support/adopt-process.ts DATA_DIR PACKAGE_DIR
// Opens the engine on DATA_DIR with the committed vlm2vec-nano (as the library's model),
// adopts PACKAGE_DIR and prints "adopt <state> <done>/<total>" at every progress report,
// then "adopted" when the switch is done. Each embed call of the adopted version waits
// TROVE_TEST_ADOPT_DELAY_MS first, so the background embedding lasts long enough to be killed.
// With TROVE_TEST_KILL_AT_SWITCH=1 the process kills itself (SIGKILL) inside the final switch:
// when the old model is released, after the items were marked for the new version and before
// settings.json names it.
import { findModelDir } from '../../main/engine/model-loader';
import { TroveEngine } from '../../main/engine/service';
import { loadModel } from '../../main/ml/models';
import { messageOf } from '../../main/base/errors';

async function main(): Promise<void> {
  const [dataDir, pkg] = process.argv.slice(2);
  if (!dataDir || !pkg) throw new Error('usage: adopt-process.ts DATA_DIR PACKAGE_DIR');
  const base = findModelDir();
  if (!base) throw new Error('no default model package');
  const delayMs = Number(process.env.TROVE_TEST_ADOPT_DELAY_MS ?? 0) || 0;
  const model = await loadModel(base, { threads: 1, providers: ['cpu'] });
  if (process.env.TROVE_TEST_KILL_AT_SWITCH === '1') {
    model.dispose = () => {
      process.stdout.write('switching\n');
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => undefined);
    };
  }
  const engine = new TroveEngine({
    dataDir,
    model,
    loaded: { dir: base, providers: ['cpu'], threads: 1 },
    ownsModel: true,
    perception: false,
    ranking: 'embedding',
    loadModel: async (dir, o) => {
      const m = await loadModel(dir, o);
      const embed = m.embed.bind(m);
      m.embed = async (batch) => {
        await new Promise((r) => setTimeout(r, delayMs));
        return embed(batch);
      };
      return m;
    },
  });
  engine.onEvent((e) => {
    if (e.type === 'progress' && e.progress.kind === 'adopt') process.stdout.write(`adopt ${e.progress.state} ${e.progress.done}/${e.progress.total}\n`);
  });
  await engine.adoptModel({ dir: pkg });
  await engine.tuningJobs.waitForAdoption();
  process.stdout.write('adopted\n');
  await engine.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`adopt-process: ${messageOf(err)}\n`);
  process.exitCode = 1;
});
