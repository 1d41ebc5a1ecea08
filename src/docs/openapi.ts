import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
// class-transformer keeps its @Type() metadata here; the schema generator needs it for nested DTOs.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';

/** JSON schemas for the project's own class-validator rules (common/validation). */
const CUSTOM_RULE_SCHEMAS: NonNullable<
  Parameters<typeof validationMetadatasToSchemas>[0]
>['additionalConverters'] = {
  isStopSequences: {
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }],
  },
  isMessageContent: {
    nullable: true,
    oneOf: [
      { type: 'string' },
      {
        type: 'array',
        items: {
          type: 'object',
          properties: { type: { type: 'string' }, text: { type: 'string' } },
          required: ['type'],
        },
      },
    ],
  },
  isToolChoice: {
    oneOf: [
      { type: 'string', enum: ['none', 'auto', 'required'] },
      {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['function'] },
          function: { type: 'object', properties: { name: { type: 'string' } } },
        },
      },
    ],
  },
  isReasoning: {
    oneOf: [{ type: 'string' }, { type: 'object', properties: { effort: { type: 'string' } } }],
  },
  isJsonObject: { type: 'object' },
  isStringOrArray: { oneOf: [{ type: 'string' }, { type: 'array', items: {} }] },
};

/** Request bodies documented from their class-validator DTOs, by route. */
const REQUEST_BODIES: Record<string, string> = {
  '/v1/chat/completions': 'ChatCompletionRequestDto',
  '/v1/responses': 'ResponsesRequestDto',
  '/v1/completions': 'CompletionRequestDto',
  '/anthropic/v1/messages': 'AnthropicMessagesRequestDto',
  '/admin/keys': 'VirtualKeyRequestDto',
};

const ERROR_ENVELOPE = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        code: { type: 'string', nullable: true },
        param: { type: 'string', nullable: true },
      },
      required: ['message', 'type'],
    },
  },
};

/**
 * The OpenAPI document of the gateway's own surface. Paths come from the controllers; request
 * schemas are generated from the same class-validator DTOs that validate requests, so the
 * document cannot drift from what the gateway accepts.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Groq Gateway')
    .setDescription(
      "OpenAI-compatible gateway in front of Groq's LPU inference API. Errors use OpenAI's envelope (Anthropic's on /anthropic).",
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas = validationMetadatasToSchemas({
    classValidatorMetadataStorage: getMetadataStorage(),
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: CUSTOM_RULE_SCHEMAS,
  });
  document.components = {
    ...document.components,
    schemas: {
      ...(document.components?.schemas ?? {}),
      ...(schemas as Record<string, object>),
      ErrorEnvelope: ERROR_ENVELOPE,
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    const post = item.post;
    const schema =
      REQUEST_BODIES[path] ?? REQUEST_BODIES[path.replace(/^\/openai|^\/groq\/openai/, '')];
    if (post && schema) {
      post.requestBody = {
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
      };
    }
    for (const operation of [item.get, item.post, item.put, item.delete, item.patch]) {
      if (!operation) continue;
      operation.responses = {
        ...operation.responses,
        '400': {
          description: 'Invalid request',
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } },
          },
        },
      };
    }
  }
  return document;
}

export function mountOpenApiDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
}
