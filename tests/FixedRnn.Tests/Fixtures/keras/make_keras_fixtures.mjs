// Builds the Keras-import fixtures of FixedRnn with TensorFlow.js (tfjs-layers on the pure-JS CPU
// backend of tfjs-core; no native code).
//
// For every fixture NAME it writes, next to this script:
//   NAME.keras.safetensors  the weights in Keras' layout and under the names Keras gives them
//                           (TF2 Keras: `lstm/lstm_cell/kernel:0`; the keras3_* fixtures use
//                           Keras 3 variable paths without `:0`: `gru/gru_cell/kernel`)
//   NAME.io.safetensors     `input` [T, I] and `output` [T, O]: tfjs' model.predict at every step
//                           (returnSequences: true), batch 1, zero initial state
// All tensors are little-endian F32; the header is padded with spaces to a multiple of 8 bytes.
//
// Weights come from a seeded PRNG (mulberry32) and are set with layer.setWeights, so the files
// depend only on this script and the pinned tfjs versions (package-lock.json).
//
// Every gated layer is built with recurrentActivation: 'sigmoid'. tfjs defaults to 'hardSigmoid'
// (as Keras 2 once did), while TF2 Keras and Keras 3 default to 'sigmoid', the logistic sigmoid that
// FixedRnn computes.
//
// tfjs-layers has no reset_after=True GRU (its GRUCell throws for resetAfter). The reset-after
// fixtures therefore run KerasGruCell below: an RNNCell written line by line after Keras'
// GRUCell.call, on the same tfjs-core ops, inside tfjs' own RNN layer. The script checks that this
// cell, in its reset_after=False form, reproduces tfjs' GRU exactly on the same weights, which pins
// down the gate order (z, r, h) and the kernel layouts it shares with the reset-after form.
//
// Rerun (see README.md): install the pinned packages outside the repository and point NODE_PATH at them:
//   D=$(mktemp -d) && cp package.json package-lock.json "$D" && (cd "$D" && npm ci --ignore-scripts) \
//     && NODE_PATH="$D/node_modules" node make_keras_fixtures.mjs && rm -rf "$D"

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// CommonJS resolution honours NODE_PATH (ES module resolution does not), and loads one tfjs-core
// instance shared by tfjs-layers and the CPU backend.
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

const OUT_DIR = dirname(fileURLToPath(import.meta.url));
const T = 30;

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

/** count float32 values uniform in [-scale, scale). */
function uniform(random, count, scale) {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    values[i] = (random() * 2 - 1) * scale;
  }
  return values;
}

// ---- Keras' GRU cell, both forms (tfjs-layers has only reset_after=False) ----

const GRUCellBase = Object.getPrototypeOf(tfl.layers.gruCell({ units: 1, recurrentInitializer: 'zeros' })).constructor;

/** Keras' GRUCell.call, reset_after either way; weights and gate order (z, r, h) as Keras stores them. */
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
    // Keras: bias_shape = (3 * units,) if not reset_after else (2, 3 * units)
    this.bias = this.useBias
      ? this.addWeight('bias', this.kerasResetAfter ? [2, this.units * 3] : [this.units * 3], null, this.biasInitializer, null, true, null)
      : null;
    this.built = true;
  }

  call(inputs, kwargs) {
    return tf.tidy(() => {
      const x = inputs[0];
      const hPrevious = inputs[1];
      const units = this.units;
      const kernel = this.kernel.read();
      const recurrentKernel = this.recurrentKernel.read();
      let inputBias = null;
      let recurrentBias = null;
      if (this.useBias) {
        const bias = this.bias.read();
        if (this.kerasResetAfter) {
          [inputBias, recurrentBias] = tf.split(bias, 2, 0).map((row) => tf.squeeze(row, [0]));
        } else {
          inputBias = bias;
        }
      }

      let matrixX = tf.matMul(x, kernel);
      if (inputBias !== null) {
        matrixX = tf.add(matrixX, inputBias);
      }
      const [xZ, xR, xH] = tf.split(matrixX, 3, 1);

      let matrixInner;
      if (this.kerasResetAfter) {
        matrixInner = tf.matMul(hPrevious, recurrentKernel);
        if (recurrentBias !== null) {
          matrixInner = tf.add(matrixInner, recurrentBias);
        }
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

// ---- Models ----

// A layer spec: { kind: 'lstm' | 'gru' | 'simple_rnn' | 'dense', units, resetAfter?, activation?, useBias? }.
// Keras' automatic names: lstm, lstm_1, …; gru, …; simple_rnn, …; dense, …. TF2 Keras names the
// cells by their own counter: lstm_cell, lstm_cell_1, … (Keras 3 always names them lstm_cell).

// Every weight is overwritten with setWeights; zero initializers keep tfjs' own (unseeded, and for
// 'orthogonal' chained-op-dependent) initializers out of the way.
const ZERO_INIT = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' };

function buildLayer(spec, inputShape) {
  const common = inputShape ? { inputShape, ...ZERO_INIT } : { ...ZERO_INIT };
  const useBias = spec.useBias ?? true;
  switch (spec.kind) {
    case 'lstm':
      return tfl.layers.lstm({ ...common, units: spec.units, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', useBias });
    case 'gru':
      if (spec.resetAfter) {
        const cell = new KerasGruCell({ ...ZERO_INIT, units: spec.units, activation: 'tanh', recurrentActivation: 'sigmoid', useBias, resetAfter: true });
        return tfl.layers.rnn({ ...(inputShape ? { inputShape } : {}), cell, returnSequences: true });
      }
      return tfl.layers.gru({ ...common, units: spec.units, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', useBias });
    case 'simple_rnn':
      return tfl.layers.simpleRNN({ ...common, units: spec.units, returnSequences: true, activation: 'tanh', useBias });
    case 'dense':
      return tfl.layers.dense({ ...common, units: spec.units, activation: spec.activation, useBias });
    default:
      throw new Error(`unknown layer kind ${spec.kind}`);
  }
}

const GATES = { lstm: 4, gru: 3, simple_rnn: 1 };
const CELL = { lstm: 'lstm_cell', gru: 'gru_cell', simple_rnn: 'simple_rnn_cell' };

/** Keras-layout weights for one layer, in setWeights order, each { param, shape, data }. */
function makeWeights(random, spec, inputSize) {
  const useBias = spec.useBias ?? true;
  if (spec.kind === 'dense') {
    const scale = 1 / Math.sqrt(inputSize);
    const weights = [{ param: 'kernel', shape: [inputSize, spec.units], data: uniform(random, inputSize * spec.units, scale) }];
    if (useBias) {
      weights.push({ param: 'bias', shape: [spec.units], data: uniform(random, spec.units, scale) });
    }
    return weights;
  }

  // 1.5/sqrt(H), like the PyTorch fixtures' scaled defaults, to reach into saturation.
  const h = spec.units;
  const width = GATES[spec.kind] * h;
  const scale = 1.5 / Math.sqrt(h);
  const weights = [
    { param: 'kernel', shape: [inputSize, width], data: uniform(random, inputSize * width, scale) },
    { param: 'recurrent_kernel', shape: [h, width], data: uniform(random, h * width, scale) },
  ];
  if (useBias) {
    const biasShape = spec.kind === 'gru' && spec.resetAfter ? [2, width] : [width];
    weights.push({ param: 'bias', shape: biasShape, data: uniform(random, biasShape.reduce((a, b) => a * b, 1), scale) });
  }
  return weights;
}

function tensorName(style, layerName, cellName, param) {
  const scope = cellName ? `${layerName}/${cellName}` : layerName;
  return style === 'tf2' ? `${scope}/${param}:0` : `${scope}/${param}`;
}

/** Runs one fixture: builds the model, sets seeded weights, predicts, returns the tensors to write. */
function runFixture(fixture) {
  const random = mulberry32(fixture.seed);
  const model = tfl.sequential();
  const counters = {};
  const cellCounters = {};
  const kerasTensors = [];
  let inputSize = fixture.inputSize;
  fixture.layers.forEach((spec, index) => {
    const layer = buildLayer(spec, index === 0 ? [T, fixture.inputSize] : null);
    model.add(layer);
    const weights = makeWeights(random, spec, inputSize);
    layer.setWeights(weights.map((w) => tf.tensor(w.data, w.shape, 'float32')));

    const count = counters[spec.kind] ?? 0;
    counters[spec.kind] = count + 1;
    const layerName = count === 0 ? spec.kind : `${spec.kind}_${count}`;
    let cellName = null;
    if (spec.kind !== 'dense') {
      const cellCount = fixture.style === 'tf2' ? (cellCounters[spec.kind] ?? 0) : 0;
      cellCounters[spec.kind] = cellCount + 1;
      cellName = cellCount === 0 ? CELL[spec.kind] : `${CELL[spec.kind]}_${cellCount}`;
    }
    for (const w of weights) {
      kerasTensors.push({ name: tensorName(fixture.style, layerName, cellName, w.param), shape: w.shape, data: w.data });
    }
    inputSize = spec.units;
  });

  const input = uniform(random, T * fixture.inputSize, 1.5);
  const output = tf.tidy(() => model.predict(tf.tensor(input, [1, T, fixture.inputSize], 'float32')).dataSync());
  return { kerasTensors, input, output: Float32Array.from(output), outputSize: inputSize };
}

/** The reset_after=False form of KerasGruCell must reproduce tfjs' own GRU on the same weights. */
function checkGruCellAgainstTfjs() {
  const random = mulberry32(1234);
  const inputSize = 5;
  const units = 11;
  const spec = { kind: 'gru', units, resetAfter: false };
  const weights = makeWeights(random, spec, inputSize).map((w) => tf.tensor(w.data, w.shape, 'float32'));
  const input = tf.tensor(uniform(random, T * inputSize, 1.5), [1, T, inputSize], 'float32');

  const reference = tfl.sequential();
  reference.add(tfl.layers.gru({ ...ZERO_INIT, inputShape: [T, inputSize], units, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid' }));
  reference.layers[0].setWeights(weights);
  const ours = tfl.sequential();
  const cell = new KerasGruCell({ ...ZERO_INIT, units, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false });
  ours.add(tfl.layers.rnn({ inputShape: [T, inputSize], cell, returnSequences: true }));
  ours.layers[0].setWeights(weights);

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

// ---- safetensors ----

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

// ---- Fixtures ----

const FIXTURES = [
  { name: 'keras_lstm', seed: 101, style: 'tf2', inputSize: 3,
    layers: [{ kind: 'lstm', units: 16 }, { kind: 'dense', units: 1, activation: 'linear' }] },
  { name: 'keras_gru_after', seed: 102, style: 'tf2', inputSize: 4,
    layers: [{ kind: 'gru', units: 12, resetAfter: true }] },
  { name: 'keras_gru_before', seed: 113, style: 'tf2', inputSize: 3,
    layers: [{ kind: 'gru', units: 7, resetAfter: false }, { kind: 'dense', units: 4, activation: 'relu' }] },
  { name: 'keras_simple_rnn', seed: 104, style: 'tf2', inputSize: 5,
    layers: [{ kind: 'simple_rnn', units: 9 }] },
  { name: 'keras_stack', seed: 105, style: 'tf2', inputSize: 4,
    layers: [
      { kind: 'lstm', units: 20 },
      { kind: 'lstm', units: 12 },
      { kind: 'gru', units: 9, resetAfter: false },
      { kind: 'dense', units: 3, activation: 'tanh' },
    ] },
  { name: 'keras3_stack', seed: 106, style: 'keras3', inputSize: 6,
    layers: [
      { kind: 'gru', units: 10, resetAfter: true },
      { kind: 'simple_rnn', units: 8 },
      { kind: 'dense', units: 2, activation: 'sigmoid' },
    ] },
  { name: 'keras_nobias', seed: 107, style: 'tf2', inputSize: 3,
    layers: [
      { kind: 'lstm', units: 6, useBias: false },
      { kind: 'gru', units: 5, resetAfter: true, useBias: false },
      { kind: 'dense', units: 2, activation: 'linear', useBias: false },
    ] },
];

await tf.setBackend('cpu');
await tf.ready();
console.log(`tfjs-core ${tf.version_core}, tfjs-layers ${tfl.version_layers}, backend ${tf.getBackend()}`);
checkGruCellAgainstTfjs();

for (const fixture of FIXTURES) {
  const { kerasTensors, input, output, outputSize } = runFixture(fixture);
  const weightsBytes = writeSafetensors(join(OUT_DIR, `${fixture.name}.keras.safetensors`), kerasTensors);
  const ioBytes = writeSafetensors(join(OUT_DIR, `${fixture.name}.io.safetensors`), [
    { name: 'input', shape: [T, fixture.inputSize], data: input },
    { name: 'output', shape: [T, outputSize], data: output },
  ]);
  console.log(`${fixture.name}: ${kerasTensors.map((t) => t.name).join(', ')} (${weightsBytes} + ${ioBytes} bytes)`);
}
