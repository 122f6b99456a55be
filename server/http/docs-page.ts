/**
 * `/docs`: an OpenAPI document as one HTML page, rendered on the server from the same document
 * `/openapi.json` serves. Routes grouped by tag, with their parameters, bodies, responses, errors and
 * examples, then the named schemas. No script at all and one same-origin stylesheet, so the page
 * works under a CSP of `default-src 'none'; style-src 'self'`.
 */
import type { JsonSchema, OpenApiDocument, OpenApiMedia, OpenApiOperation } from './openapi.ts';

export function renderDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  const byTag = doc.tags.map((tag) => ({
    tag,
    operations: operations.filter(({ operation }) => operation.tags.includes(tag.name)),
  }));
  const nav = byTag
    .map(
      ({ tag, operations }) =>
        `<li><a href="#tag-${anchor(tag.name)}">${esc(tag.name)}</a><ul>${operations
          .map(
            ({ path, method, operation }) =>
              `<li><a href="#${operation.operationId}">${methodBadge(method)} <code>${esc(path)}</code></a></li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('');
  const sections = byTag
    .map(
      ({ tag, operations }) => `<section id="tag-${anchor(tag.name)}">
<h2>${esc(tag.name)}</h2>${prose(tag.description)}
${operations.map(({ path, method, operation }) => renderOperation(path, method, operation)).join('\n')}
</section>`,
    )
    .join('\n');
  const schemas = Object.entries(doc.components.schemas)
    .map(
      ([name, schema]) => `<article id="schema-${anchor(name)}" class="schema">
<h3>${esc(name)}</h3>${prose(schema.description)}${renderSchema(schema, false)}
</article>`,
    )
    .join('\n');
  const auth = Object.entries(doc.components.securitySchemes)
    .map(
      ([name, scheme]) =>
        `<dt id="auth-${anchor(name)}"><code>${esc(name)}</code> ${esc(schemeLabel(scheme))}</dt><dd>${prose(scheme.description)}</dd>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(doc.info.title)} API</title>
<link rel="stylesheet" href="/docs.css">
</head>
<body>
<nav aria-label="Contents">
<p class="brand">${esc(doc.info.title)} <span>${esc(doc.info.version)}</span></p>
<p><a href="/openapi.json">openapi.json</a></p>
<ul><li><a href="#auth">Authentication</a></li>${nav}<li><a href="#schemas">Schemas</a></li></ul>
</nav>
<main>
<header>
<h1>${esc(doc.info.title)} API</h1>
<p class="meta">Version ${esc(doc.info.version)} · OpenAPI ${esc(doc.openapi)} · ${doc.servers.map((server) => `<code>${esc(server.url)}</code>`).join(', ')}</p>
${prose(doc.info.description)}
</header>
<section id="auth"><h2>Authentication</h2><dl>${auth}</dl></section>
${sections}
<section id="schemas"><h2>Schemas</h2>
${schemas}
</section>
</main>
</body>
</html>
`;
}

function renderOperation(path: string, method: string, operation: OpenApiOperation): string {
  const security = operation.security.length
    ? `<p class="auth">Authentication: ${operation.security
        .map((each) => Object.keys(each).map((name) => `<a href="#auth-${anchor(name)}"><code>${esc(name)}</code></a>`))
        .flat()
        .join(' or ')}</p>`
    : `<p class="auth">No authentication.</p>`;
  const parameters = operation.parameters.length
    ? `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${operation.parameters
        .map(
          (parameter) =>
            `<tr><td><code>${esc(parameter.name)}</code>${parameter.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(parameter.in)}</td><td>${typeLabel(parameter.schema)}</td><td>${prose(parameter.description)}${constraints(parameter.schema)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const body = operation.requestBody
    ? `<h4>Request body</h4>${prose(operation.requestBody.description)}${Object.entries(operation.requestBody.content)
        .map(([type, media]) => renderMedia(type, media))
        .join('')}`
    : '';
  const entries = Object.entries(operation.responses);
  const isError = ([, response]: (typeof entries)[number]) =>
    response.content?.['application/json']?.schema.$ref === ERROR_REF;
  const responses = entries
    .filter((entry) => !isError(entry))
    .map(
      ([status, response]) => `<div class="response status-${esc(status[0] ?? '')}xx">
<h5><span class="status">${esc(status)}</span> ${inline(response.description)}</h5>
${headerList(Object.keys(response.headers ?? {}))}
${Object.entries(response.content ?? {})
  .map(([type, media]) => renderMedia(type, media))
  .join('')}
</div>`,
    )
    .join('\n');
  // Errors share one schema: one row per error code, its example message underneath.
  const errorRows = entries.filter(isError).flatMap(([status, response]) =>
    Object.entries(response.content!['application/json']!.examples ?? {}).map(([, example]) => {
      const error = (example.value as { error: { code: string; message: string } }).error;
      return `<tr class="status-${esc(status[0] ?? '')}xx"><td><span class="status">${esc(status)}</span></td><td><code>${esc(error.code)}</code></td><td>${inline(example.summary)}<p class="rules">“${esc(error.message)}”</p></td></tr>`;
    }),
  );
  const errorHeaders = [
    ...new Set(entries.filter(isError).flatMap(([, response]) => Object.keys(response.headers ?? {}))),
  ];
  const errors = errorRows.length
    ? `<h4>Errors</h4><p>Body: <a href="#schema-Error">Error</a>.</p>${headerList(errorHeaders)}<table class="errors"><thead><tr><th>Status</th><th>Code</th><th>When</th></tr></thead><tbody>${errorRows.join('')}</tbody></table>`
    : '';
  return `<article id="${operation.operationId}" class="operation">
<h3>${methodBadge(method)} <code>${esc(path)}</code></h3>
<p class="summary">${inline(operation.summary)}</p>${prose(operation.description)}
${security}${parameters}${body}
<h4>Responses</h4>
${responses}
${errors}
</article>`;
}

function renderMedia(type: string, media: OpenApiMedia): string {
  const examples = media.examples
    ? Object.entries(media.examples)
        .map(
          ([name, example]) =>
            `<details><summary>Example <code>${esc(name)}</code>: ${inline(example.summary)}</summary>${pre(example.value)}</details>`,
        )
        .join('')
    : media.example === undefined
      ? ''
      : `<details open><summary>Example</summary>${pre(media.example)}</details>`;
  const plain = media.schema.type === 'string' && Object.keys(media.schema).length === 1;
  return `<p class="media"><code>${esc(type)}</code>${plain ? '' : ` · ${typeLabel(media.schema)}`}</p>${
    plain || media.schema.$ref ? '' : renderSchema(media.schema, true)
  }${examples}`;
}

/** A schema as a table of its fields (nested objects nest), or a type and its rules. */
function renderSchema(schema: JsonSchema, brief: boolean): string {
  const object = inlineObject(schema);
  if (object) {
    const required = new Set((object.required ?? []) as string[]);
    const rows = Object.entries(object.properties as Record<string, JsonSchema>).map(([name, property]) => {
      const nested = inlineObject(property) ?? inlineRecordValue(property);
      return `<tr><td><code>${esc(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td>${typeLabel(property)}</td><td>${prose(property.description)}${constraints(property)}${nested ? renderSchema(nested, true) : ''}</td></tr>`;
    });
    return `<table class="fields"><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }
  const variants = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (variants && variants.every((variant) => inlineObject(variant))) {
    return `<p>One of:</p><ul class="variants">${variants
      .map((variant) => `<li>${variantName(variant)}${renderSchema(variant, true)}</li>`)
      .join('')}</ul>`;
  }
  return brief ? '' : `<p>${typeLabel(schema)}${constraints(schema)}</p>`;
}

function inlineObject(schema: JsonSchema): JsonSchema | null {
  if (schema.properties && typeof schema.properties === 'object') return schema;
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  const objects = options?.filter((option) => option.properties);
  return objects?.length === 1 && options!.length === 2 ? objects[0]! : null;
}

function inlineRecordValue(schema: JsonSchema): JsonSchema | null {
  if (schema.type === 'array' && schema.items && inlineObject(schema.items as JsonSchema)) {
    return inlineObject(schema.items as JsonSchema);
  }
  return null;
}

function variantName(variant: JsonSchema): string {
  const properties = variant.properties as Record<string, JsonSchema>;
  const tag = Object.entries(properties).find(([, property]) => property.const !== undefined);
  return tag ? `<code>${esc(tag[0])}: ${esc(JSON.stringify(tag[1].const))}</code>` : 'object';
}

/** JSON Schema's `type`, a name or a list of names, as a list (empty when absent). */
function schemaTypes(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  return typeof schema.type === 'string' ? [schema.type] : [];
}

function typeLabel(schema: JsonSchema): string {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    return `<a href="#schema-${anchor(name)}">${esc(name)}</a>`;
  }
  if (schema.const !== undefined) return `<code>${esc(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.enum)) {
    // A long list reads better under the description (`constraints`) than in the type column.
    if (schema.enum.length > LONG_ENUM) return esc(schemaTypes(schema).join(',') || 'enum');
    return schema.enum.map((value) => `<code>${esc(JSON.stringify(value))}</code>`).join(' | ');
  }
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (options) return options.map(typeLabel).join(' | ');
  const types = schemaTypes(schema);
  if (types.length === 0) return 'any';
  return types
    .map((type) => {
      if (type === 'array') return `${typeLabel((schema.items ?? {}) as JsonSchema)}[]`;
      if (type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return `map of ${typeLabel(schema.additionalProperties as JsonSchema)}`;
      }
      return typeof schema.format === 'string' ? `${type} (${esc(schema.format)})` : esc(type);
    })
    .join(' | ');
}

const RULES: [keyword: string, label: string][] = [
  ['pattern', 'pattern'],
  ['minLength', 'min length'],
  ['maxLength', 'max length'],
  ['minimum', 'min'],
  ['maximum', 'max'],
  ['minItems', 'min items'],
  ['default', 'default'],
];

function constraints(schema: JsonSchema): string {
  const target = inlineObject(schema) ? {} : ((schema.anyOf as JsonSchema[] | undefined)?.[0] ?? schema);
  const rules = RULES.filter(([keyword]) => target[keyword] !== undefined || schema[keyword] !== undefined).map(
    ([keyword, label]) => {
      const value = schema[keyword] ?? target[keyword];
      return `${label} <code>${esc(keyword === 'pattern' ? String(value) : JSON.stringify(value))}</code>`;
    },
  );
  const items = schema.items as JsonSchema | undefined;
  if (Array.isArray(schema.enum) && schema.enum.length > LONG_ENUM) rules.push(`one of ${values(schema.enum)}`);
  if (Array.isArray(items?.enum) && items.enum.length > LONG_ENUM) rules.push(`each one of ${values(items.enum)}`);
  if (Array.isArray(schema.examples)) {
    rules.push(`e.g. ${values(schema.examples)}`);
  }
  return rules.length ? `<p class="rules">${rules.join(' · ')}</p>` : '';
}

const LONG_ENUM = 3;

function headerList(names: string[]): string {
  return names.length ? `<p>Headers: ${names.map((name) => `<code>${esc(name)}</code>`).join(', ')}</p>` : '';
}

const ERROR_REF = '#/components/schemas/Error';

function values(list: unknown[]): string {
  return list.map((value) => `<code>${esc(JSON.stringify(value))}</code>`).join(', ');
}

function schemeLabel(scheme: JsonSchema): string {
  if (scheme.type === 'http') return `(HTTP ${String(scheme.scheme)})`;
  if (scheme.type === 'apiKey') return `(${String(scheme.in)} ${String(scheme.name)})`;
  return `(${String(scheme.type)})`;
}

function methodBadge(method: string): string {
  return `<span class="method ${esc(method)}">${esc(method.toUpperCase())}</span>`;
}

function pre(value: unknown): string {
  return `<pre>${esc(typeof value === 'string' ? value : JSON.stringify(value, null, 2))}</pre>`;
}

/** Paragraphs of text with `code` spans. */
function prose(text: unknown): string {
  if (typeof text !== 'string' || !text) return '';
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${inline(paragraph)}</p>`)
    .join('');
}

function inline(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function anchor(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export const DOCS_CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,sans-serif;color:#111827;background:#fff;display:grid;grid-template-columns:17rem 1fr}
nav{position:sticky;top:0;height:100vh;overflow:auto;padding:1rem;background:#f5f5f7;border-right:1px solid #e5e7eb;font-size:13px}
nav ul{list-style:none;margin:0;padding:0}nav ul ul{padding-left:.5rem;margin-bottom:.5rem}
nav a{color:inherit;text-decoration:none;display:block;padding:.1rem 0;white-space:nowrap}nav code{font-size:12px}nav a:hover{text-decoration:underline}
.brand{font-weight:700;font-size:15px}.brand span{font-weight:400;color:#6b7280}
main{padding:1.5rem 2rem;max-width:64rem;min-width:0}
h2{border-bottom:2px solid #e5e7eb;padding-bottom:.25rem;margin-top:2.5rem}
.operation,.schema{border:1px solid #e5e7eb;border-radius:10px;padding:.5rem 1rem 1rem;margin:1rem 0}
h3 code{font-size:1rem}.summary{font-weight:600}
.method{display:inline-block;min-width:3.2rem;text-align:center;border-radius:4px;padding:0 .3rem;font:700 12px/1.6 ui-monospace,monospace;color:#fff;background:#2563eb}
.method.post{background:#059669}
.status{font:700 13px ui-monospace,monospace;padding:0 .3rem;border-radius:4px;background:#e5e7eb}
.status-2xx .status{background:#d1fae5}.status-4xx .status{background:#fef3c7}.status-5xx .status{background:#fee2e2}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:14px}
th,td{text-align:left;vertical-align:top;border-bottom:1px solid #e5e7eb;padding:.3rem .4rem}
td p{margin:.1rem 0}td:first-child{white-space:nowrap}td table{font-size:13px}
.req{font-size:11px;color:#b91c1c}.rules{color:#4b5563;font-size:13px;overflow-wrap:anywhere}
code{font-family:ui-monospace,monospace;font-size:.92em;background:#f3f4f6;border-radius:3px;padding:0 .2rem;white-space:nowrap}
.rules code,p code{white-space:normal;overflow-wrap:anywhere}
pre{background:#111827;color:#f9fafb;padding:.75rem;border-radius:8px;overflow:auto;font-size:13px}
details{margin:.4rem 0}summary{cursor:pointer;color:#374151}
.media{margin:.5rem 0 .2rem;color:#374151}.variants{padding-left:1rem}
@media (max-width:50rem){body{display:block}nav{position:static;height:auto}}
`;
