// Runs an exported model in ONNX Runtime (the onnxruntime-web package, its
// WebAssembly build, under node) and compares it with eq's own results.
//   node ort_check.js MODEL.onnx SPEC.json [PREDICT.csv]
// SPEC.json is export_reference's: for a model without time, the raw input
// columns, compared with PREDICT.csv (`eqc predict --values`); for a time
// model, symbols (text) or rows (a series of numbers) fed one step at a
// time, each state input (from its initial value) fed the output "eq.states"
// pairs it with from the step before, compared with eq's output at every
// step; a spec that compares nothing fails. Values match when
// |onnx − eq| ≤ 1e-5 · max(1, |eq|). Exit 0 on a match, 1 otherwise.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-web');
ort.env.wasm.numThreads = 1;

const kTolerance = 1e-5;
const [modelPath, specPath, csvPath] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
let worst = 0, compared = 0;

function compare(got, want, where) {
  if (got.length !== want.length) throw new Error(`${where}: ${got.length} values, expected ${want.length}`);
  for (let i = 0; i < want.length; ++i) {
    const err = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    worst = Math.max(worst, err);
    ++compared;
    if (!(err <= kTolerance)) throw new Error(`${where}[${i}]: onnx ${got[i]}, eq ${want[i]}`);
  }
}

function tensor(type, data, dims) {
  return new ort.Tensor(type, type === 'int32' ? Int32Array.from(data) : Float32Array.from(data), dims);
}

async function main() {
  const session = await ort.InferenceSession.create(fs.readFileSync(modelPath));
  if (spec.symbols || spec.rows) {
    const feeds = {};
    for (const s of spec.states) feeds[s.input] = tensor('float32', s.data, s.dims);
    const steps = spec.symbols || spec.rows;
    for (let t = 0; t < steps.length; ++t) {
      feeds[spec.input] = spec.symbols ? tensor('int32', [steps[t]], [1])
                                       : tensor('float32', steps[t], [1, steps[t].length]);
      const out = await session.run(feeds);
      compare(out[spec.output].data, spec.expected[t], `step ${t}`);
      for (const s of spec.states) feeds[s.input] = out[s.output];
    }
  } else {
    const feeds = {};
    for (const i of spec.inputs) feeds[i.name] = tensor(i.type, i.data, i.dims);
    const out = await session.run(feeds);
    const rows = fs.readFileSync(csvPath, 'utf8').trim().split('\n').slice(1);
    compare(out[spec.output].data, rows.flatMap((r) => r.split(',').map(Number)), spec.output);
  }
  // A spec with no steps or no rows checks nothing: that is a failure.
  if (compared === 0) throw new Error('no values were compared');
  console.log(`${modelPath}: ${compared} values match, worst relative error ${worst.toExponential(2)}`);
}

main().then(() => process.exit(0), (e) => { console.error(`${modelPath}: ${e.message}`); process.exit(1); });
