import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes an instance config (with an encryption key) into the user folder on first
// use; keep it out of the developer's ~/.n8n.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-imbrace-test-'));
// n8n's own log goes to a file, where tests can read it (the secrets check does) and where it
// does not bury jest's report.
process.env.N8N_LOG_OUTPUT = 'file';
process.env.N8N_LOG_LEVEL ??= 'debug';
process.env.N8N_LOG_FILE_LOCATION ??= join(process.env.N8N_USER_FOLDER, 'n8n.log');
