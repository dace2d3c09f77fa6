// Ctrl-C during an evaluation or a fine-tune: the first press asks the run to stop at its next check,
// a second one stops the process at once.
export interface CtrlC {
  readonly pressed: boolean;
  /** removes the SIGINT listener (call in a finally) */
  remove(): void;
}

export function cancelOnCtrlC(err: { write(s: string): unknown }, onFirst?: () => void, what = 'the evaluation'): CtrlC {
  const state = { pressed: false };
  const onSigint = () => {
    if (state.pressed) {
      err.write('\ntrove: stopped.\n');
      process.exit(130);
    }
    state.pressed = true;
    err.write(`\ntrove: cancelling ${what} (Ctrl-C again to stop at once)...\n`);
    onFirst?.();
  };
  process.on('SIGINT', onSigint);
  return {
    get pressed() {
      return state.pressed;
    },
    remove: () => process.off('SIGINT', onSigint),
  };
}
