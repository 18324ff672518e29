import { z } from 'zod';

/**
 * Response shapes of the NextGen calls the bot makes, parsed tolerantly as the OpenAPI file asks:
 * Jackson writes every absent optional field as null, Harness adds fields over time (zod's default
 * object drops unknown keys), and we only insist on what the bot actually reads.
 */
const text = z.string().nullish();
const tags = z.record(z.string(), z.string().nullable()).nullish();
const millis = z.number().int();

export const serviceAccountSchema = z.object({
  identifier: z.string().min(1),
  name: z.string().nullish(),
  email: text,
  description: text,
  tags,
  orgIdentifier: text,
  projectIdentifier: text,
});

export const serviceAccountAggregateSchema = z.object({
  serviceAccount: serviceAccountSchema,
  // Documented as a token count; ng-manager fills it with the number of API keys.
  tokensCount: z.number().int().nullish(),
});

export const apiKeySchema = z.object({
  identifier: z.string().min(1),
  name: z.string().nullish(),
  description: text,
  tags,
  apiKeyType: z.string().nullish(),
  parentIdentifier: z.string().nullish(),
  defaultTimeToExpireToken: z.number().int().nullish(),
  orgIdentifier: text,
  projectIdentifier: text,
});

export const tokenSchema = z.object({
  identifier: z.string().min(1),
  name: z.string().nullish(),
  validFrom: millis.nullish(),
  validTo: millis.nullish(),
  scheduledExpireTime: millis.nullish(),
  valid: z.boolean().nullish(),
  apiKeyIdentifier: z.string().nullish(),
  parentIdentifier: z.string().nullish(),
  description: text,
  tags,
});

export const tokenAggregateSchema = z.object({
  token: tokenSchema,
  expiryAt: millis.nullish(),
  createdAt: millis.nullish(),
  lastModifiedAt: millis.nullish(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    totalPages: z.number().int().nullish(),
    totalItems: z.number().int().nullish(),
    pageIndex: z.number().int().nullish(),
    content: z.array(item).nullish(),
    empty: z.boolean().nullish(),
  });

/** ResponseDTO<T>: the payload is under `data`. */
export const envelope = <T extends z.ZodType>(data: T) => z.object({ status: z.string().nullish(), data });

/** "<pat|sat>.<account>.<tokenId>.<secret>", or the older "<prefix>.<tokenId>.<secret>". */
export const TOKEN_VALUE = /^(?:pat|sat)\.(?:[A-Za-z0-9_-]+\.)?[A-Za-z0-9]+\.[A-Za-z0-9]+$/;

/** The three error bodies (Failure, Error, AccessDeniedError) share these fields; Dropwizard's uses a numeric code. */
export const errorBodySchema = z.object({
  status: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
  correlationId: z.string().nullish(),
  errors: z.array(z.object({ fieldId: z.string().nullish(), error: z.string().nullish() })).nullish(),
  responseMessages: z.array(z.object({ code: z.string().nullish(), message: z.string().nullish() })).nullish(),
  failedPermissionChecks: z
    .array(
      z.object({
        permission: z.string().nullish(),
        resourceType: z.string().nullish(),
        resourceIdentifier: z.string().nullish(),
      }),
    )
    .nullish(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
