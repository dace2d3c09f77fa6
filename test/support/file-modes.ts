// Root ignores file mode bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), and CI runs as root,
// so a test of an unreadable file or an unwritable folder would quietly test nothing there.
// `honouringFileModes` wraps a command so that mode bits hold for it: as root, under setpriv
// (util-linux) with those two capabilities dropped from its bounding set, which exec then
// leaves out of the process (root already holds the CAP_SETPCAP this needs, also in a
// default container); as anyone else, unchanged. Mode bits are a process's property, hence
// a child process: the test runner itself keeps its capabilities.
import { execFileSync } from 'node:child_process';
import { messageOf } from '../../main/base/errors';

export const RUNNING_AS_ROOT = process.getuid?.() === 0;

const DROPPED = '-dac_override,-dac_read_search';

export function honouringFileModes(command: string, args: string[]): { command: string; args: string[] } {
  if (!RUNNING_AS_ROOT) return { command, args };
  try {
    execFileSync('setpriv', [`--bounding-set=${DROPPED}`, 'true'], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`running as root, this test needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE so that file modes apply, and it failed: ${messageOf(err)}`);
  }
  return { command: 'setpriv', args: [`--bounding-set=${DROPPED}`, command, ...args] };
}
