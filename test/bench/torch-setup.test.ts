import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureTorch, type TorchSystem } from '../../src/bench/torch-setup.js';

/** A fake system: `import torch` works once installed; apt-get calls succeed per `aptResults`, in order. */
function fakeSystem(o: { installed: boolean; root: boolean; aptResults: boolean[] }): TorchSystem & { calls: string[] } {
  let installed = o.installed;
  const results = [...o.aptResults];
  const calls: string[] = [];
  return {
    calls,
    torchVersion: () => (installed ? '1.13.1' : null),
    canInstall: () => o.root,
    aptGet(args) {
      calls.push(args.join(' '));
      const ok = results.shift() ?? false;
      if (ok && args[0] === 'install') installed = true;
      return ok;
    },
  };
}

test('PyTorch already present: its version, nothing installed', () => {
  const system = fakeSystem({ installed: true, root: true, aptResults: [] });
  assert.deepEqual(ensureTorch(() => {}, system), { available: true, version: '1.13.1' });
  assert.deepEqual(system.calls, []);
});

test('absent and not root: unavailable, with the install command in the reason', () => {
  const system = fakeSystem({ installed: false, root: false, aptResults: [] });
  const result = ensureTorch(() => {}, system);
  assert.equal(result.available, false);
  assert.match(!result.available ? result.reason : '', /apt-get install -y python3-torch/);
  assert.deepEqual(system.calls, []);
});

test('absent as root: installs python3-torch and says so', () => {
  const system = fakeSystem({ installed: false, root: true, aptResults: [true] });
  const log: string[] = [];
  assert.deepEqual(ensureTorch((l) => log.push(l), system), { available: true, version: '1.13.1' });
  assert.deepEqual(system.calls, ['install -y python3-torch']);
  assert.match(log.join('\n'), /running apt-get install -y python3-torch/);
});

test('a failed install refreshes the package lists and tries once more', () => {
  const system = fakeSystem({ installed: false, root: true, aptResults: [false, true, true] });
  assert.deepEqual(ensureTorch(() => {}, system), { available: true, version: '1.13.1' });
  assert.deepEqual(system.calls, ['install -y python3-torch', 'update', 'install -y python3-torch']);
});

test('when every attempt fails, PyTorch is reported unavailable', () => {
  const system = fakeSystem({ installed: false, root: true, aptResults: [false, false] });
  const result = ensureTorch(() => {}, system);
  assert.equal(result.available, false);
  assert.deepEqual(system.calls, ['install -y python3-torch', 'update']);
});
