// The architecture rules of DESIGN §4, checked in CI (`npm run depcheck`):
// a module is a room with one door (its index.ts); platform/ is the foundation and knows no room.
module.exports = {
  forbidden: [
    {
      name: 'module-front-door',
      comment: 'A module imports another module only through that module\'s index.ts.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'outsiders-use-front-doors',
      comment: 'Flows, the CLI, the composition root and test utilities reach a module only through its index.ts.',
      severity: 'error',
      from: { path: '^src/(flows|cli|testutil)/|^src/(compose|app)\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'platform-knows-no-module',
      comment: 'platform/ is plumbing shared by all modules and imports none of them (nor flows, CLI or the app).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/(modules|flows|cli|testutil)/|^src/(compose|app)\\.ts$' },
    },
    {
      name: 'modules-are-not-flows',
      comment: 'Modules do not call flows or the composition root; flows call modules.',
      severity: 'error',
      from: { path: '^src/modules/', pathNot: '^src/modules/index\\.ts$' },
      to: { path: '^src/(flows|cli)/|^src/(compose|app)\\.ts$' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // resolve package subpath exports (`csv-parse/sync`) the way Node does
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '\\.test\\.ts$' },
  },
};
