/**
 * Jest reporter that ends the run with one plain line, `Tests: N passed, N failed, N skipped`, printed after
 * everything else (at process exit), which CI reads as the test summary. With DEPTHBLOCKS_TEST_SUMMARY set (by
 * scripts/jest-package.js), it also writes the counts there as JSON, for scripts/test.js to add up.
 */
const fs = require('fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failedSuites = results.numFailedTestSuites + (results.numRuntimeErrorTestSuites || 0);
    const failed = results.numFailedTests + (failedSuites > 0 && results.numFailedTests === 0 ? failedSuites : 0);
    const skipped = results.numPendingTests + results.numTodoTests;
    const counts = { passed: results.numPassedTests, failed, skipped };
    if (process.env.DEPTHBLOCKS_TEST_SUMMARY) fs.writeFileSync(process.env.DEPTHBLOCKS_TEST_SUMMARY, JSON.stringify(counts) + '\n');
    const line = `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`;
    process.on('exit', () => fs.writeSync(1, line));
  }
}
module.exports = SummaryReporter;
