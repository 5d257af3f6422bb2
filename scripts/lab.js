#!/usr/bin/env node
// `npm run lab`: the JupyterLab side of trainbook is not built yet (see the issues); until it lands
// this says so instead of pretending.
process.stderr.write(
  'trainbook: `npm run lab` will start JupyterLab with the trainbook extension and examples/train.ipynb.\n' +
    'That part is still being built. Meanwhile the SDK and CLI work: see README.md.\n',
);
process.exitCode = 1;
