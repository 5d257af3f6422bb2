// Merged into @jupyter/builder's webpack config: `trainbook/core` is the root package's own entry,
// which the builder cannot resolve from this folder by the package's name.
const path = require('node:path');

module.exports = {
  resolve: {
    alias: { 'trainbook/core$': path.resolve(__dirname, '../core/dist/index.js') },
  },
};
