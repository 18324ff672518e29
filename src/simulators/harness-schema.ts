import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';

/** Harness's schema (a copy of shared/harness/schema.graphql; test/unit/harness checks they match). */
// Resolved from src/simulators (ts-jest) and dist/simulators (compiled) alike.
export const HARNESS_SCHEMA_PATH = path.join(__dirname, '..', '..', 'test', 'fixtures', 'harness-schema.graphql');
export const harnessSchema: GraphQLSchema = buildSchema(readFileSync(HARNESS_SCHEMA_PATH, 'utf8'));

export function validateDocument(document: string): string[] {
  try {
    return validate(harnessSchema, parse(document)).map((e) => e.message);
  } catch (err) {
    return [(err as Error).message];
  }
}
