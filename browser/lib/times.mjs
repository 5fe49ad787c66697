// A node:test reporter that records each top-level test's duration and
// outcome as "seconds<TAB>file<TAB>test<TAB>pass|fail|skip" lines, for
// `make test`'s slowest-ten list (cmd/testtimes) and the hazard log's
// evidence check (cmd/hazardlog). The spec reporter prints the results
// beside it.
import path from 'node:path';
import { repoRoot } from './server.mjs';

export default async function* times(source) {
  for await (const { type, data } of source) {
    if ((type === 'test:pass' || type === 'test:fail') && data.nesting === 0 && data.details?.duration_ms !== undefined) {
      const file = data.file ? path.relative(repoRoot, data.file) : 'browser';
      const outcome = type === 'test:fail' ? 'fail' : (data.skip || data.todo) ? 'skip' : 'pass';
      yield `${(data.details.duration_ms / 1000).toFixed(2)}\t${file}\t${data.name.replace(/[\t\n]/g, ' ')}\t${outcome}\n`;
    }
  }
}
