/**
 * Writes the topology's JSON Schema (`npm run schema`), generated from the loader; the
 * committed file is checked against a fresh generation by `__tests__/json-schema.test.ts`.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { JSON_SCHEMA_FILE, topologyJsonSchemaText } from '../topology/json-schema';

const file = path.join(__dirname, '..', JSON_SCHEMA_FILE);
writeFileSync(file, topologyJsonSchemaText());
process.stdout.write(`wrote ${JSON_SCHEMA_FILE}\n`);
