// Import-direction rule for the services (see docs/adr/0002-service-layout.md):
// - a service's src/domain imports nothing from its app, adapters, transport, app.ts or main.ts;
// - domain code (tests aside) imports only packages named in the rule's allowPackages option: no I/O clients;
// - no file under services/<name>/ imports another service's code (by relative path or by package name).
// Written locally because it is ~60 lines and needs no resolver; it works on the import text.
import path from 'node:path';

const LAYERS_DOMAIN_MUST_NOT_USE = ['app', 'adapters', 'transport'];
const ENTRY_FILES = ['app.ts', 'main.ts'];
const SERVICE_PACKAGE = /^@mealpeak\/(gateway|order|merchant|rider-dispatch)(\/|$)/;

/** @returns {{ root: string, name: string } | undefined} */
function serviceOf(file) {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('services');
  if (i < 0 || i + 1 >= parts.length - 1) return undefined;
  return { root: parts.slice(0, i + 2).join(path.sep), name: parts[i + 1] };
}

/** @type {import('eslint').Rule.RuleModule} */
export const boundariesRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the dependency direction inside and between services' },
    messages: {
      domain: 'domain code must stay pure: it may not import from {{layer}} ({{source}})',
      domainPackage: 'domain code must stay pure: package {{source}} is not in the allowed list',
      crossService:
        'services/{{from}} may not import code of another service ({{source}}); share it through libs/ or proto/',
    },
    schema: [
      {
        type: 'object',
        properties: { allowPackages: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const file = context.filename;
    const service = serviceOf(file);
    if (!service) return {};
    const domainDir = path.join(service.root, 'src', 'domain');
    const inDomain = file.startsWith(domainDir + path.sep);
    const isTest = /\.(test|spec)\.ts$/.test(file);
    const allowPackages = context.options[0]?.allowPackages ?? [];

    function check(node, source) {
      if (typeof source !== 'string') return;
      if (SERVICE_PACKAGE.test(source)) {
        context.report({ node, messageId: 'crossService', data: { from: service.name, source } });
        return;
      }
      if (!source.startsWith('.')) {
        const allowed = allowPackages.some((p) => source === p || source.startsWith(p + '/'));
        if (inDomain && !isTest && !allowed)
          context.report({ node, messageId: 'domainPackage', data: { source } });
        return;
      }
      const target = path.resolve(path.dirname(file), source);
      if (!target.startsWith(service.root + path.sep)) {
        if (serviceOf(target))
          context.report({ node, messageId: 'crossService', data: { from: service.name, source } });
        return;
      }
      if (!inDomain) return;
      const rel = path.relative(path.join(service.root, 'src'), target).split(path.sep);
      const layer = rel[0];
      if (LAYERS_DOMAIN_MUST_NOT_USE.includes(layer) || (rel.length === 1 && ENTRY_FILES.includes(layer))) {
        context.report({ node, messageId: 'domain', data: { layer, source } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { boundaries: boundariesRule } };
