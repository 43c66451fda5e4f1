// Quieten tfjs' "hi there" banner about tfjs-node (printed the first time the cpu backend stores a tensor),
// once per test file, with the same function the CLI calls.
process.env.TF_CPP_MIN_LOG_LEVEL = process.env.TF_CPP_MIN_LOG_LEVEL || '2';
require('@depthblocks/core').silenceTfjsNodeBanner();
