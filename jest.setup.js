// Quieten tfjs' "hi there" banner about tfjs-node (printed the first time the cpu backend stores a tensor),
// once per test file, with the same function the CLI calls. Only that module (and core's tf.ts, the tfjs
// umbrella) is loaded here, not @depthblocks/core: the no-side-effects tests import the packages themselves.
process.env.TF_CPP_MIN_LOG_LEVEL = process.env.TF_CPP_MIN_LOG_LEVEL || '2';
require('./packages/core/src/tfjs-banner').silenceTfjsNodeBanner();
