/**
 * Builds an OpenAPI 3.1 document from a table of operations whose parameters, bodies and responses
 * are the zod schemas the routes validate with (`z.toJSONSchema`, JSON Schema 2020-12, which is
 * OpenAPI 3.1's dialect). A schema with a metadata `id` becomes a named component and is referred
 * to by `$ref`. Request schemas are converted as input (what the caller sends: before defaults and
 * transforms), response schemas as output.
 */
import { z } from 'zod';
import { errorBody } from './schemas.ts';

export type JsonSchema = { [keyword: string]: unknown };

/** One error an operation can answer with; its example is the body the caller gets. */
export interface ErrorCase {
  status: number;
  code: string;
  /** When it happens, for the reader. */
  when: string;
  /** The message as the API writes it. */
  message: string;
  /** The answer carries `Retry-After` (seconds). */
  retryAfter?: boolean;
}

export interface OperationResponse {
  status: number;
  description: string;
  /** A JSON body's schema; omit for a body of another type (then `contentType` and `example`). */
  schema?: z.ZodType;
  contentType?: string;
  example?: unknown;
  headers?: Record<string, string>;
}

export interface Operation {
  method: 'get' | 'post';
  /** OpenAPI form: `/v1/sessions/{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Security scheme names, any one of which opens the operation; [] when none is needed. */
  security: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { schema?: z.ZodType; contentType?: string; description?: string; example: unknown };
  responses: OperationResponse[];
  errors?: ErrorCase[];
}

export interface ApiDescription {
  title: string;
  version: string;
  description: string;
  serverUrl: string;
  tags: { name: string; description: string }[];
  securitySchemes: Record<string, JsonSchema>;
  operations: Operation[];
  /** Named schemas to publish although no operation's JSON refers to them (an event stream's data). */
  schemas?: z.ZodType[];
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiMedia {
  schema: JsonSchema;
  example?: unknown;
  examples?: Record<string, { summary: string; value: unknown }>;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Record<string, string[]>[];
  parameters: OpenApiParameter[];
  requestBody?: { required: true; description?: string; content: Record<string, OpenApiMedia> };
  responses: Record<
    string,
    { description: string; headers?: Record<string, unknown>; content?: Record<string, OpenApiMedia> }
  >;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  components: { securitySchemes: Record<string, JsonSchema>; schemas: Record<string, JsonSchema> };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

const COMPONENTS = '#/components/schemas/';

export function buildOpenApi(api: ApiDescription): OpenApiDocument {
  const components: Record<string, JsonSchema> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output') => toJsonSchema(schema, io, components);
  const paths: OpenApiDocument['paths'] = {};
  for (const operation of api.operations) {
    const parameters = [
      ...toParameters(operation.params, 'path', components),
      ...toParameters(operation.query, 'query', components),
      ...toParameters(operation.headers, 'header', components),
    ];
    const responses: OpenApiOperation['responses'] = {};
    for (const response of operation.responses) {
      const type = response.contentType ?? 'application/json';
      responses[response.status] = {
        description: response.description,
        ...(response.headers ? { headers: describeHeaders(response.headers) } : {}),
        content: {
          [type]: {
            schema: response.schema ? convert(response.schema, 'output') : { type: 'string' },
            ...(response.example === undefined ? {} : { example: response.example }),
          },
        },
      };
    }
    for (const [status, cases] of groupByStatus(operation.errors ?? [])) {
      responses[status] = {
        description: cases.map((each) => `\`${each.code}\`: ${each.when}`).join('; '),
        ...(cases.some((each) => each.retryAfter)
          ? { headers: describeHeaders({ 'Retry-After': 'Seconds to wait before trying again.' }) }
          : {}),
        content: {
          'application/json': {
            schema: convert(errorBody, 'output'),
            examples: Object.fromEntries(
              cases.map((each, index) => [
                cases.findIndex((other) => other.code === each.code) === index ? each.code : `${each.code}_${index}`,
                { summary: each.when, value: errorExample(each) },
              ]),
            ),
          },
        },
      };
    }
    const body = operation.body;
    (paths[operation.path] ??= {})[operation.method] = {
      operationId: operationId(operation),
      tags: [operation.tag],
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      security: operation.security.map((name) => ({ [name]: [] })),
      parameters,
      ...(body
        ? {
            requestBody: {
              required: true as const,
              ...(body.description ? { description: body.description } : {}),
              content: {
                [body.contentType ?? 'application/json']: {
                  schema: body.schema ? convert(body.schema, 'input') : { type: 'string' },
                  example: body.example,
                },
              },
            },
          }
        : {}),
      responses,
    };
  }
  for (const schema of api.schemas ?? []) convert(schema, 'output');
  return {
    openapi: '3.1.0',
    info: { title: api.title, version: api.version, description: api.description },
    servers: [{ url: api.serverUrl }],
    tags: api.tags,
    components: { securitySchemes: api.securitySchemes, schemas: sortKeys(components) },
    paths,
  };
}

/** The body an error case answers with (its request id is an example). */
export function errorExample(error: ErrorCase): z.output<typeof errorBody> {
  return { error: { code: error.code, message: error.message, requestId: 'req_4fT9xQ2mLp8sVb1Z' } };
}

/** `post /v1/sessions/{id}/refunds` → `post-v1-sessions-id-refunds`; also the anchor on `/docs`. */
export function operationId(operation: { method: string; path: string }): string {
  return `${operation.method}-${operation.path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

function toParameters(
  schema: z.ZodObject | undefined,
  where: OpenApiParameter['in'],
  components: Record<string, JsonSchema>,
): OpenApiParameter[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, 'input', components);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * One zod schema as JSON Schema. Named schemas (metadata `id`) go into `components` and are referred
 * to there; a schema named twice with different content is a mistake and throws.
 */
function toJsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', override: tidy }) as JsonSchema;
  const { $schema: _dialect, $defs, ...root } = json;
  for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    const named = pointAtComponents(definition) as JsonSchema;
    const earlier = components[id];
    if (earlier && JSON.stringify(earlier) !== JSON.stringify(named)) {
      throw new Error(`two different schemas are named ${id} (one as ${io})`);
    }
    components[id] = named;
  }
  return pointAtComponents(root) as JsonSchema;
}

/**
 * Readability and honesty of the output: a format says what its long generated pattern says, and
 * an integer's safe-integer bounds go without saying; a response object that is not strict may gain
 * fields, so it does not forbid them.
 */
function tidy({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  if (jsonSchema.format === 'date-time' || jsonSchema.format === 'email') delete jsonSchema.pattern;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  const def = (zodSchema as { _zod: { def: { type: string; catchall?: unknown } } })._zod.def;
  if (def.type === 'object' && def.catchall === undefined) delete jsonSchema.additionalProperties;
}

function pointAtComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pointAtComponents);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')
        ? COMPONENTS + inner.slice('#/$defs/'.length)
        : pointAtComponents(inner),
    ]),
  );
}

function describeHeaders(headers: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
  );
}

function groupByStatus(errors: ErrorCase[]): Map<number, ErrorCase[]> {
  const groups = new Map<number, ErrorCase[]>();
  for (const error of [...errors].sort((a, b) => a.status - b.status)) {
    groups.set(error.status, [...(groups.get(error.status) ?? []), error]);
  }
  return groups;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
