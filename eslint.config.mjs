// Lint: typescript-eslint's recommended rules, and one rule of the architecture — code outside a
// feature uses only its public face (src/features/<name>/index.ts), never a file inside it.
import fs from 'node:fs';
import tseslint from 'typescript-eslint';

/** Every folder under src/features is a feature: a new one is covered without a line here. */
const FEATURES = fs
  .readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const deepImport = {
  regex: `^(\\.\\./)+(features/)?(${FEATURES.join('|')})/(?!index$).+`,
  message: "Import the feature's public face (its index.ts), not a file inside it; export what others need from there.",
};

export default tseslint.config(
  { ignores: ['src/generated/**', 'node_modules/**', 'data/**', 'coverage/**', 'src/**/page/**'] },
  ...tseslint.configs.recommended,
  // `({ day: _day, ...rest })`: a leading underscore marks what is left out on purpose.
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }] } },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport] }] },
  },
  {
    // Card keys, menu keys and error codes are declared once per feature (its keys.ts, with
    // namespaced()): a literal where one is registered, put on a button or thrown is a typo waiting.
    files: ['src/**/*.ts'],
    ignores: ['src/bot/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          "CallExpression[callee.property.name=/^(card|menuClick|scan)$/][arguments.0.type='Literal']",
          "CallExpression[callee.property.name=/^(card|menuClick|scan)$/][arguments.0.type='TemplateLiteral']",
          "NewExpression[callee.name=/(Error|Refused)$/][arguments.0.type='Literal'][arguments.0.value=/^[a-z]+\\.[a-zA-Z]+$/]",
          "CallExpression[callee.name='requireOwnStore'][arguments.1.type='Literal']",
          "Property[key.name='code'][value.type='Literal'][value.value=/^[a-z]+\\.[a-zA-Z]+$/]",
          "Property[key.name='key'][value.type='Literal'][value.value=/^[a-z]+\\.[a-zA-Z]+/]",
          "Property[key.name='key'] > TemplateLiteral > TemplateElement:first-child[value.raw=/^[a-z]+\\.[a-zA-Z]+/]",
        ].map((selector) => ({ selector, message: "Use the feature's declared key or code (keys.ts: X_CARDS.name, X_ERRORS.name), not a string." })),
      ],
    },
  },
);
