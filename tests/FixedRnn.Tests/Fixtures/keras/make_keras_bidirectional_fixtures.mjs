// Builds the Keras Bidirectional fixtures of FixedRnn with TensorFlow.js (tfjs-layers 4.22.0, pure-JS CPU backend),
// the reference implementation of the Keras layers that make_keras_fixtures.mjs uses too (same packages, same
// seeded mulberry32 weights and inputs, same file formats; see README.md).
//
// keras_bilstm_{concat,sum,ave,mul}: Bidirectional(LSTM(8), merge_mode) over 3 inputs, then Dense(2); T = 30.
// Each fixture's NAME.keras.safetensors holds the weights under TF2 Keras' names for the model built in a fresh
// session: bidirectional/forward_lstm/lstm_cell_1/{kernel,recurrent_kernel,bias}:0,
// bidirectional/backward_lstm/lstm_cell_2/…:0 and dense/{kernel,bias}:0; NAME.io.safetensors holds input [T, 3]
// and tfjs' model.predict output [T, 2] at every step.
//
// Run from this directory after `npm ci`:  node make_keras_bidirectional_fixtures.mjs

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

const OUT_DIR = dirname(fileURLToPath(import.meta.url));
const T = 30;
const INPUTS = 3;
const UNITS = 8;
const OUTPUTS = 2;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(random, count, scale) {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    values[i] = (random() * 2 - 1) * scale;
  }
  return values;
}

function writeSafetensors(path, tensors) {
  const header = {};
  let offset = 0;
  for (const t of tensors) {
    const length = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const file = Buffer.alloc(8 + json.length + offset);
  file.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(file, 8);
  let position = 8 + json.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      file.writeFloatLE(t.data[i], position);
      position += 4;
    }
  }
  writeFileSync(path, file);
  return file.length;
}

const ZERO_INIT = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' };

function lstmWeights(random, inputSize) {
  const width = 4 * UNITS;
  const scale = 1.5 / Math.sqrt(UNITS);
  return [
    { param: 'kernel', shape: [inputSize, width], data: uniform(random, inputSize * width, scale) },
    { param: 'recurrent_kernel', shape: [UNITS, width], data: uniform(random, UNITS * width, scale) },
    { param: 'bias', shape: [width], data: uniform(random, width, scale) },
  ];
}

function runFixture(mergeMode, seed) {
  const random = mulberry32(seed);
  const model = tfl.sequential();
  const lstm = tfl.layers.lstm({ ...ZERO_INIT, units: UNITS, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid' });
  const bidirectional = tfl.layers.bidirectional({ layer: lstm, mergeMode, inputShape: [T, INPUTS] });
  model.add(bidirectional);
  const merged = mergeMode === 'concat' ? 2 * UNITS : UNITS;
  const dense = tfl.layers.dense({ ...ZERO_INIT, units: OUTPUTS, activation: 'linear' });
  model.add(dense);

  const forward = lstmWeights(random, INPUTS);
  const backward = lstmWeights(random, INPUTS);
  // tfjs' Bidirectional takes the forward layer's weights, then the backward layer's.
  bidirectional.setWeights([...forward, ...backward].map((w) => tf.tensor(w.data, w.shape, 'float32')));
  const denseScale = 1 / Math.sqrt(merged);
  const denseWeights = [
    { param: 'kernel', shape: [merged, OUTPUTS], data: uniform(random, merged * OUTPUTS, denseScale) },
    { param: 'bias', shape: [OUTPUTS], data: uniform(random, OUTPUTS, denseScale) },
  ];
  dense.setWeights(denseWeights.map((w) => tf.tensor(w.data, w.shape, 'float32')));

  const input = uniform(random, T * INPUTS, 1.5);
  const output = tf.tidy(() => model.predict(tf.tensor(input, [1, T, INPUTS], 'float32')).dataSync());

  // TF2 Keras' names in a fresh session: the wrapped LSTM is 'lstm' with cell 'lstm_cell'; its two copies are
  // 'forward_lstm' and 'backward_lstm', whose cells count on: 'lstm_cell_1' and 'lstm_cell_2'.
  const kerasTensors = [
    ...forward.map((w) => ({ name: `bidirectional/forward_lstm/lstm_cell_1/${w.param}:0`, shape: w.shape, data: w.data })),
    ...backward.map((w) => ({ name: `bidirectional/backward_lstm/lstm_cell_2/${w.param}:0`, shape: w.shape, data: w.data })),
    ...denseWeights.map((w) => ({ name: `dense/${w.param}:0`, shape: w.shape, data: w.data })),
  ];
  return { kerasTensors, input, output: Float32Array.from(output) };
}

/** The backward direction really runs backward: against two plain LSTMs, one over the reversed input, merged by hand. */
function checkAgainstTwoLstms(result, mergeMode) {
  const forwardModel = tfl.sequential();
  const backwardModel = tfl.sequential();
  for (const m of [forwardModel, backwardModel]) {
    m.add(tfl.layers.lstm({ ...ZERO_INIT, inputShape: [T, INPUTS], units: UNITS, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid' }));
  }
  const byScope = (scope) => result.kerasTensors.filter((t) => t.name.startsWith(scope)).map((t) => tf.tensor(t.data, t.shape, 'float32'));
  forwardModel.layers[0].setWeights(byScope('bidirectional/forward_lstm/'));
  backwardModel.layers[0].setWeights(byScope('bidirectional/backward_lstm/'));
  const x = tf.tensor(result.input, [1, T, INPUTS], 'float32');
  const hf = forwardModel.predict(x);
  const hb = tf.reverse(backwardModel.predict(tf.reverse(x, 1)), 1);
  const merged = { concat: () => tf.concat([hf, hb], -1), sum: () => tf.add(hf, hb), ave: () => tf.mul(tf.add(hf, hb), 0.5), mul: () => tf.mul(hf, hb) }[mergeMode]();
  const denseTensors = byScope('dense/');
  const y = tf.add(tf.matMul(tf.reshape(merged, [T, -1]), denseTensors[0]), denseTensors[1]).dataSync();
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    worst = Math.max(worst, Math.abs(y[i] - result.output[i]));
  }
  if (!(worst <= 1e-6)) {
    throw new Error(`${mergeMode}: Bidirectional differs from two LSTMs merged by hand by ${worst}`);
  }
  return worst;
}

const MERGES = [['concat', 501], ['sum', 502], ['ave', 503], ['mul', 504]];
for (const [mergeMode, seed] of MERGES) {
  const result = runFixture(mergeMode, seed);
  const worst = checkAgainstTwoLstms(result, mergeMode);
  const name = `keras_bilstm_${mergeMode}`;
  const kerasBytes = writeSafetensors(join(OUT_DIR, `${name}.keras.safetensors`), result.kerasTensors);
  const ioBytes = writeSafetensors(join(OUT_DIR, `${name}.io.safetensors`), [
    { name: 'input', shape: [T, INPUTS], data: result.input },
    { name: 'output', shape: [T, OUTPUTS], data: result.output },
  ]);
  console.log(`${name}: ${kerasBytes} + ${ioBytes} bytes; two LSTMs merged by hand agree to ${worst}`);
}
