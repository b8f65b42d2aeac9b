// Builds the Keras-fit reference fixtures of FixedRnn with TensorFlow.js (tfjs-layers on the pure-JS CPU
// backend of tfjs-core; no native code): the lecture example trained by Keras' own fit loop.
//
// The example: a series cut into windows of 10 steps, each predicting the next value (many-to-one);
// Sequential([SimpleRNN(50) | LSTM(50) | GRU(50), Dense(1)]) with input_shape (10, 1),
// compile(optimizer='adam', loss='mse'), fit(batch_size=32, epochs=5, shuffle=False,
// validation_split=0.2). For each model NAME it writes, next to this script, fit_NAME.safetensors:
//   series                  [S]       the series (float32), S = 220, so N = 210 windows: 168 training
//                                     (floor(210 * 0.8)) in 5 batches of 32 and one of 8, 42 validation
//   layers.0.*, layers.1.*  the initial weights in PyTorch's layout (nn.RNN/nn.LSTM/nn.GRU and
//                           nn.Linear names), converted here from the Keras weights tfjs trains
//   tfjs.loss, tfjs.val_loss [5]      history.history.loss and val_loss after each epoch
// make_fit_fixtures.py adds PyTorch's figures for the same weights and batches (torch.loss, torch.val_loss).
//
// tfjs-layers has no reset_after=True GRU (Keras' default, and PyTorch's form); the GRU runs KerasGruCell
// from ../keras/make_keras_fixtures.mjs (Keras 3's GRUCell.call on tfjs-core ops; tfjs differentiates it),
// and the script first checks that cell's reset_after=False form against tfjs' own GRU (outputs within 1e-6).
//
// tfjs' 'adam' is tf.train.adam(0.001, 0.9, 0.999, epsilon = 1e-7): m / (sqrt(v̂) + ε) after both bias
// corrections, the form PyTorch's Adam and FixedRnn's use; Python Keras adds ε before correcting v (see README).
//
// Rerun (see README.md): install the pinned packages of ../keras outside the repository, point NODE_PATH at them:
//   D=$(mktemp -d) && cp ../keras/package.json ../keras/package-lock.json "$D" && (cd "$D" && npm ci --ignore-scripts) \
//     && NODE_PATH="$D/node_modules" node make_fit_fixtures.mjs && rm -rf "$D"

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

const OUT_DIR = dirname(fileURLToPath(import.meta.url));
const STEPS = 220;
const WINDOW = 10;
const UNITS = 50;
const EPOCHS = 5;
const BATCH = 32;
const VALIDATION_SPLIT = 0.2;

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

/** Two slow waves and a little seeded noise: the kind of series the lecture forecasts. */
function makeSeries() {
  const random = mulberry32(2024);
  const series = new Float32Array(STEPS);
  for (let t = 0; t < STEPS; t++) {
    series[t] = 0.6 * Math.sin(0.13 * t) + 0.3 * Math.sin(0.031 * t + 1) + 0.1 * (random() - 0.5);
  }
  return series;
}

/** X[i] = series[i : i + 10], y[i] = series[i + 10], as the lecture builds them. */
function windows(series) {
  const count = series.length - WINDOW;
  const x = new Float32Array(count * WINDOW);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    x.set(series.subarray(i, i + WINDOW), i * WINDOW);
    y[i] = series[i + WINDOW];
  }
  return { x: tf.tensor(x, [count, WINDOW, 1]), y: tf.tensor(y, [count, 1]), count };
}

// ---- Keras' GRU cell (reset_after either way), as in ../keras/make_keras_fixtures.mjs ----

const GRUCellBase = Object.getPrototypeOf(tfl.layers.gruCell({ units: 1, recurrentInitializer: 'zeros' })).constructor;

class KerasGruCell extends GRUCellBase {
  constructor(args) {
    const { resetAfter, ...rest } = args;
    super(rest);
    this.kerasResetAfter = resetAfter;
  }

  build(inputShape) {
    const shape = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
    const inputDim = shape[shape.length - 1];
    this.kernel = this.addWeight('kernel', [inputDim, this.units * 3], null, this.kernelInitializer, null, true, null);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units * 3], null, this.recurrentInitializer, null, true, null);
    this.bias = this.addWeight('bias', this.kerasResetAfter ? [2, this.units * 3] : [this.units * 3], null, this.biasInitializer, null, true, null);
    this.built = true;
  }

  call(inputs) {
    return tf.tidy(() => {
      const x = inputs[0];
      const hPrevious = inputs[1];
      const units = this.units;
      const kernel = this.kernel.read();
      const recurrentKernel = this.recurrentKernel.read();
      const bias = this.bias.read();
      let inputBias;
      let recurrentBias = null;
      if (this.kerasResetAfter) {
        [inputBias, recurrentBias] = tf.split(bias, 2, 0).map((row) => tf.squeeze(row, [0]));
      } else {
        inputBias = bias;
      }
      const matrixX = tf.add(tf.matMul(x, kernel), inputBias);
      const [xZ, xR, xH] = tf.split(matrixX, 3, 1);
      let matrixInner;
      if (this.kerasResetAfter) {
        matrixInner = tf.add(tf.matMul(hPrevious, recurrentKernel), recurrentBias);
      } else {
        matrixInner = tf.matMul(hPrevious, tf.slice(recurrentKernel, [0, 0], [units, 2 * units]));
      }
      const recurrentZ = tf.slice(matrixInner, [0, 0], [-1, units]);
      const recurrentR = tf.slice(matrixInner, [0, units], [-1, units]);
      const z = this.recurrentActivation.apply(tf.add(xZ, recurrentZ));
      const r = this.recurrentActivation.apply(tf.add(xR, recurrentR));
      const recurrentH = this.kerasResetAfter
        ? tf.mul(r, tf.slice(matrixInner, [0, 2 * units], [-1, units]))
        : tf.matMul(tf.mul(r, hPrevious), tf.slice(recurrentKernel, [0, 2 * units], [units, units]));
      const hh = this.activation.apply(tf.add(xH, recurrentH));
      const h = tf.add(tf.mul(z, hPrevious), tf.mul(tf.sub(1, z), hh));
      return [h, h];
    });
  }
}

function checkGruCellAgainstTfjs() {
  const random = mulberry32(99);
  const units = 7;
  const kernel = tf.tensor(uniform(random, 3 * units, 0.5), [1, 3 * units]);
  const recurrent = tf.tensor(uniform(random, units * 3 * units, 0.5), [units, 3 * units]);
  const bias = tf.tensor(uniform(random, 3 * units, 0.5), [3 * units]);
  const input = tf.tensor(uniform(random, 2 * WINDOW, 1), [2, WINDOW, 1]);
  const zeros = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' };
  const reference = tfl.sequential();
  reference.add(tfl.layers.gru({ ...zeros, inputShape: [WINDOW, 1], units, activation: 'tanh', recurrentActivation: 'sigmoid' }));
  reference.layers[0].setWeights([kernel, recurrent, bias]);
  const ours = tfl.sequential();
  ours.add(tfl.layers.rnn({ inputShape: [WINDOW, 1], cell: new KerasGruCell({ ...zeros, units, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false }) }));
  ours.layers[0].setWeights([kernel, recurrent, bias]);
  const a = reference.predict(input).dataSync();
  const b = ours.predict(input).dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  if (!(worst <= 1e-6)) {
    throw new Error(`KerasGruCell (reset_after=False) differs from tfjs' GRU by ${worst}`);
  }
  console.log(`check: KerasGruCell reset_after=False vs tfjs GRU, max abs difference ${worst}`);
}

// ---- Initial weights: Keras layout for tfjs, PyTorch layout for the fixture ----

const GATES = { simple_rnn: 1, lstm: 4, gru: 3 };

/** Seeded Keras-layout weights: Glorot-uniform kernels, uniform ±1/√H recurrent kernels, small biases. */
function kerasWeights(kind, random) {
  const gates = GATES[kind];
  const width = gates * UNITS;
  const kernel = uniform(random, width, Math.sqrt(6 / (1 + width)));
  const recurrent = uniform(random, UNITS * width, 1 / Math.sqrt(UNITS));
  const bias = uniform(random, kind === 'gru' ? 2 * width : width, 0.1);
  if (kind === 'lstm') {
    for (let j = UNITS; j < 2 * UNITS; j++) {
      bias[j] += 1; // Keras' unit_forget_bias
    }
  }
  const denseKernel = uniform(random, UNITS, Math.sqrt(6 / (UNITS + 1)));
  const denseBias = uniform(random, 1, 0.1);
  return { kernel, recurrent, bias, denseKernel, denseBias };
}

/** rows × columns row-major → its transpose. */
function transpose(values, rows, columns) {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      out[c * rows + r] = values[r * columns + c];
    }
  }
  return out;
}

/** Keras gate blocks (along the last axis of [rows, G·H]) → PyTorch's row blocks [G·H, rows], in `order`. */
function toTorchGates(values, rows, order) {
  const transposed = transpose(values, rows, order.length * UNITS); // [G·H, rows], Keras gate order
  const out = new Float32Array(transposed.length);
  order.forEach((kerasGate, torchGate) => {
    out.set(transposed.subarray(kerasGate * UNITS * rows, (kerasGate + 1) * UNITS * rows), torchGate * UNITS * rows);
  });
  return out;
}

function torchTensors(kind, w) {
  // LSTM: Keras i, f, c, o = PyTorch i, f, g, o. GRU: Keras z, r, h → PyTorch r, z, n.
  const order = kind === 'gru' ? [1, 0, 2] : [...Array(GATES[kind]).keys()];
  const width = GATES[kind] * UNITS;
  const tensors = [
    { name: 'layers.0.weight_ih_l0', shape: [width, 1], data: toTorchGates(w.kernel, 1, order) },
    { name: 'layers.0.weight_hh_l0', shape: [width, UNITS], data: toTorchGates(w.recurrent, UNITS, order) },
  ];
  if (kind === 'gru') {
    tensors.push({ name: 'layers.0.bias_ih_l0', shape: [width], data: toTorchGates(w.bias.subarray(0, width), 1, order) });
    tensors.push({ name: 'layers.0.bias_hh_l0', shape: [width], data: toTorchGates(w.bias.subarray(width), 1, order) });
  } else {
    // Keras has one bias; PyTorch adds b_ih and b_hh.
    tensors.push({ name: 'layers.0.bias_ih_l0', shape: [width], data: toTorchGates(w.bias, 1, order) });
    tensors.push({ name: 'layers.0.bias_hh_l0', shape: [width], data: new Float32Array(width) });
  }
  tensors.push({ name: 'layers.1.weight', shape: [1, UNITS], data: w.denseKernel });
  tensors.push({ name: 'layers.1.bias', shape: [1], data: w.denseBias });
  return tensors;
}

function buildModel(kind, w) {
  const zeros = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' };
  const model = tfl.sequential();
  let recurrent;
  switch (kind) {
    case 'simple_rnn':
      recurrent = tfl.layers.simpleRNN({ ...zeros, inputShape: [WINDOW, 1], units: UNITS, activation: 'tanh' });
      break;
    case 'lstm':
      recurrent = tfl.layers.lstm({ ...zeros, inputShape: [WINDOW, 1], units: UNITS, activation: 'tanh', recurrentActivation: 'sigmoid' });
      break;
    case 'gru':
      recurrent = tfl.layers.rnn({
        inputShape: [WINDOW, 1],
        cell: new KerasGruCell({ ...zeros, units: UNITS, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: true }),
      });
      break;
    default:
      throw new Error(kind);
  }
  model.add(recurrent);
  model.add(tfl.layers.dense({ units: 1, kernelInitializer: 'zeros', biasInitializer: 'zeros' }));
  const width = GATES[kind] * UNITS;
  recurrent.setWeights([
    tf.tensor(w.kernel, [1, width]),
    tf.tensor(w.recurrent, [UNITS, width]),
    tf.tensor(w.bias, kind === 'gru' ? [2, width] : [width]),
  ]);
  model.layers[1].setWeights([tf.tensor(w.denseKernel, [UNITS, 1]), tf.tensor(w.denseBias, [1])]);
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return model;
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

await tf.setBackend('cpu');
await tf.ready();
console.log(`tfjs-core ${tf.version_core}, tfjs-layers ${tfl.version_layers}, backend ${tf.getBackend()}`);
checkGruCellAgainstTfjs();

const series = makeSeries();
const data = windows(series);
const MODELS = [
  { kind: 'simple_rnn', name: 'fit_simple_rnn', seed: 301 },
  { kind: 'lstm', name: 'fit_lstm', seed: 302 },
  { kind: 'gru', name: 'fit_gru', seed: 303 },
];
for (const { kind, name, seed } of MODELS) {
  const weights = kerasWeights(kind, mulberry32(seed));
  const model = buildModel(kind, weights);
  const history = await model.fit(data.x, data.y, {
    batchSize: BATCH, epochs: EPOCHS, shuffle: false, validationSplit: VALIDATION_SPLIT, verbose: 0,
  });
  const loss = Float32Array.from(history.history.loss);
  const valLoss = Float32Array.from(history.history.val_loss);
  const bytes = writeSafetensors(join(OUT_DIR, `${name}.safetensors`), [
    { name: 'series', shape: [STEPS], data: series },
    ...torchTensors(kind, weights),
    { name: 'tfjs.loss', shape: [EPOCHS], data: loss },
    { name: 'tfjs.val_loss', shape: [EPOCHS], data: valLoss },
  ]);
  console.log(`${name}: loss ${Array.from(loss).join(', ')}; val_loss ${Array.from(valLoss).join(', ')} (${bytes} bytes)`);
}
