// examples/embed/train_iris.cc: load a .eq model, train it, predict — through
// <eq/eq.hpp> alone. The README shows this file as it is.
#include <cstdio>
#include <eq/eq.hpp>

int main(int argc, char** argv) {
  eq::Setup setup = eq::setup_file(argc > 1 ? argv[1] : "models/logreg.eq", {});  // + its data
  eq::Trainer trainer(setup);
  trainer.initialize();  // the params' initialisers, from the seed
  eq::TrainHooks hooks;  // progress, epochs, checkpoints
  hooks.on_epoch = [](const eq::EpochReport& r) {
    if (r.epoch % 25 == 0)
      std::printf("epoch %3lld  loss %.4f\n", (long long)r.epoch, r.train.loss);
  };
  trainer.train(hooks);
  const eq::Metrics m = trainer.validate();  // on the train block's validation share
  std::printf("validation: loss %.4f  accuracy %.3f\n", m.loss, m.accuracy.value_or(0));

  eq::SafetensorsFile weights = trainer.weights();  // what eqc train saves
  eq::SavedModel saved = eq::decode_metadata(weights.metadata, "trained");
  eq::Evaluator model(*setup.model, /*with_loss=*/false);
  model.load_params(weights);
  eq::Batches rows(setup.data, *setup.model, saved.scale, 64);
  const eq::Tensor p = model.predict(rows, 64);  // [N, 3]: class probabilities
  std::printf("example 0: p = %.3f %.3f %.3f\n", p.at(0), p.at(1), p.at(2));
  return m.accuracy.value_or(0) > 0.8 ? 0 : 1;
}
