"""Write the Keras HDF5 and .keras fixtures in the layouts Keras itself writes (KerasFileTests).

The numbers are those of the tfjs-layers references next to this script (NAME.keras.safetensors holds the
weights under TF2 Keras' names, NAME.io.safetensors the inputs and tfjs' outputs, both written by
make_keras_fixtures.mjs), so every file here must reproduce NAME.io.safetensors. Only the containers change:

* keras_lstm.h5 -- tf.keras 2.x ``model.save("m.h5")`` (keras/saving/legacy/hdf5_format.py,
  save_model_to_hdf5 + save_weights_to_hdf5_group): root attributes ``backend``, ``keras_version`` and
  ``model_config`` (the Sequential's JSON); group ``model_weights`` with attributes ``layer_names`` (a
  fixed-length byte-string array, in model order), ``backend``, ``keras_version``; one group per layer with
  attribute ``weight_names`` (fixed-length byte strings, ``lstm/lstm_cell/kernel:0``, ...) and one dataset per weight at that path
  inside the layer's group, so ``model_weights/lstm/lstm/lstm_cell/kernel:0``; a weightless ``dropout``
  layer has an empty ``weight_names``, which h5py stores as an empty float64 array, as Keras' files show.
* keras_stack.weights.h5 -- tf.keras 2.x ``model.save_weights("w.h5")``: the same layer groups at the root,
  TF2's cell counters (``lstm_1/lstm_cell_1/kernel:0``), no configuration.
* keras_gru_before.h5 -- Keras 3 ``model.save("m.h5")`` (keras/src/legacy/saving/legacy_h5_format.py): the
  same structure, but ``layer_names`` and ``weight_names`` as variable-length strings and weight names that
  are Keras 3 variable paths (``sequential/gru/gru_cell/kernel``), plus the empty ``top_level_model_weights``
  group; ``model_config`` in Keras 3's legacy form.
* keras3_stack.weights.h5 -- Keras 3 ``model.save_weights("m.weights.h5")`` (keras/src/saving/saving_lib.py,
  H5IOStore): ``layers/{name}/vars/{i}`` for a layer's own variables and ``layers/{name}/cell/vars/{i}``
  for a recurrent layer's cell, indices in the order of ``layer.weights`` (kernel, recurrent_kernel, bias),
  an empty ``vars`` group for every saveable without variables.
* keras3_stack.keras -- Keras 3 ``model.save("m.keras")``: a zip of ``metadata.json``, ``config.json``
  (the serialized Sequential: module, class_name, config with its layers) and ``model.weights.h5`` as above.

Requires Debian's python3-h5py and python3-numpy:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/keras/make_keras_h5_fixtures.py

HDF5 files embed no timestamps here (track_times=False), and the zip entries carry a fixed date, so the
output is byte-identical on re-runs with the same h5py/libhdf5.
"""

import json
import os
import struct
import zipfile

import h5py
import numpy as np

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
T = 30


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
    return tensors


def layer_config(kind, name, units, keras3, **options):
    """A layer's config as Keras serializes it (the fields FixedRnn checks, and the usual others)."""
    config = {"name": name, "trainable": True, "dtype": "float32"}
    if kind in ("LSTM", "GRU", "SimpleRNN"):
        config.update({"return_sequences": True, "return_state": False, "go_backwards": False,
                       "stateful": False, "unroll": False, "units": units, "activation": "tanh",
                       "use_bias": True, "dropout": 0.0, "recurrent_dropout": 0.0})
        if not keras3:
            config["time_major"] = False
        if kind != "SimpleRNN":
            config["recurrent_activation"] = "sigmoid"
        if kind == "LSTM":
            config["unit_forget_bias"] = True
        if kind == "GRU":
            config["reset_after"] = options.pop("reset_after")
    elif kind == "Dense":
        config.update({"units": units, "activation": options.pop("activation"), "use_bias": True})
    elif kind == "Dropout":
        config.update({"rate": 0.2})
    config.update(options)
    layer = {"class_name": kind, "config": config}
    if keras3:
        layer = {"module": "keras.layers", "class_name": kind, "config": config, "registered_name": None}
    return layer


def sequential(layers, input_shape, keras3):
    first = {"batch_shape" if keras3 else "batch_input_shape": [None, *input_shape], "dtype": "float32",
             "name": "input_layer" if keras3 else f"{layers[0]['config']['name']}_input"}
    input_layer = {"class_name": "InputLayer", "config": first}
    if keras3:
        input_layer = {"module": "keras.layers", "class_name": "InputLayer", "config": first, "registered_name": None}
    model = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [input_layer, *layers]}}
    if keras3:
        model = {"module": "keras", **model, "registered_name": None}
    return model


def legacy_layer_group(parent, layer, weight_names, values, variable_length):
    """save_subset_weights_to_hdf5_group: attribute weight_names, a dataset per weight at its name."""
    group = parent.create_group(layer, track_order=False)
    if not weight_names:
        group.attrs["weight_names"] = np.array([], dtype=np.float64)
    elif variable_length:
        group.attrs["weight_names"] = np.array(weight_names, dtype=h5py.string_dtype())
    else:
        group.attrs["weight_names"] = np.asarray([n.encode("utf8") for n in weight_names])
    for name, value in zip(weight_names, values):
        group.create_dataset(name, data=value, track_times=False)


def legacy_weights(parent, layers, tensors, variable_length, keras_version):
    """save_weights_to_hdf5_group: layer_names in model order; layer groups created in name order."""
    names = [layer for layer, _ in layers]
    if variable_length:
        parent.attrs["layer_names"] = np.array(names, dtype=h5py.string_dtype())
    else:
        parent.attrs["layer_names"] = np.asarray([n.encode("utf8") for n in names])
    parent.attrs["backend"] = "tensorflow"
    parent.attrs["keras_version"] = keras_version
    for layer, weight_names in sorted(layers):
        values = [tensors[source] for _, source in weight_names]
        legacy_layer_group(parent, layer, [saved for saved, _ in weight_names], values, variable_length)


def tf2_names(kind_by_layer, tensors):
    """The TF2 names of each layer's weights in the safetensors fixture, in Keras' weight order."""
    order = {"kernel": 0, "recurrent_kernel": 1, "bias": 2}
    result = []
    for layer in kind_by_layer:
        names = sorted((n for n in tensors if n.split("/")[0] == layer), key=lambda n: order[n.split("/")[-1][:-2]])
        result.append((layer, names))
    return result


def make_keras_lstm_h5():
    """tf.keras 2.x model.save: LSTM(16) -> Dropout -> Dense(1)."""
    tensors = read_safetensors(os.path.join(OUT_DIR, "keras_lstm.keras.safetensors"))
    layers = tf2_names(["lstm", "dense"], tensors)
    saved = [("lstm", [(n, n) for n in layers[0][1]]), ("dropout", []), ("dense", [(n, n) for n in layers[1][1]])]
    config = sequential([layer_config("LSTM", "lstm", 16, False), layer_config("Dropout", "dropout", None, False),
                         layer_config("Dense", "dense", 1, False, activation="linear")], [T, 3], keras3=False)
    with h5py.File(os.path.join(OUT_DIR, "keras_lstm.h5"), "w", track_order=False) as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["model_config"] = json.dumps({**config, "keras_version": "2.15.0", "backend": "tensorflow"}).encode("utf8")
        legacy_weights(f.create_group("model_weights"), saved, tensors, variable_length=False, keras_version="2.15.0")


def make_keras_stack_weights_h5():
    """tf.keras 2.x save_weights: LSTM(20) -> LSTM(12) -> GRU(9, reset_after=False) -> Dense(3, tanh), no config."""
    tensors = read_safetensors(os.path.join(OUT_DIR, "keras_stack.keras.safetensors"))
    layers = tf2_names(["lstm", "lstm_1", "gru", "dense"], tensors)
    with h5py.File(os.path.join(OUT_DIR, "keras_stack.weights.h5"), "w", track_order=False) as f:
        legacy_weights(f, [(layer, [(n, n) for n in names]) for layer, names in layers], tensors,
                       variable_length=False, keras_version="2.15.0")


def make_keras_gru_before_h5():
    """Keras 3 legacy model.save: GRU(7, reset_after=False) -> Dropout -> Dense(4, relu), Keras 3 variable paths."""
    tensors = read_safetensors(os.path.join(OUT_DIR, "keras_gru_before.keras.safetensors"))
    layers = tf2_names(["gru", "dense"], tensors)

    def path(name):  # gru/gru_cell/kernel:0 -> sequential/gru/gru_cell/kernel
        return "sequential/" + name[:-2]

    saved = [("gru", [(path(n), n) for n in layers[0][1]]), ("dropout", []), ("dense", [(path(n), n) for n in layers[1][1]])]
    config = sequential([layer_config("GRU", "gru", 7, True, reset_after=False), layer_config("Dropout", "dropout", None, True),
                         layer_config("Dense", "dense", 4, True, activation="relu")], [T, 3], keras3=True)
    with h5py.File(os.path.join(OUT_DIR, "keras_gru_before.h5"), "w", track_order=False) as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "3.8.0"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        group = f.create_group("model_weights")
        legacy_weights(group, saved, tensors, variable_length=True, keras_version="3.8.0")
        legacy_layer_group(group, "top_level_model_weights", [], [], variable_length=True)


def keras3_weights(f, tensors, layers):
    """saving_lib's H5IOStore: layers/{name}[/cell]/vars/{i}, an empty vars group for saveables without variables."""
    f.create_group("vars")
    for layer, recurrent in layers:
        names = [n for n in tensors if n.split("/")[0] == layer]
        order = {"kernel": 0, "recurrent_kernel": 1, "bias": 2}
        names.sort(key=lambda n: order[n.split("/")[-1]])
        group = f.create_group(f"layers/{layer}")
        group.create_group("vars")
        target = group.create_group("cell/vars") if recurrent else group["vars"]
        for i, name in enumerate(names):
            target.create_dataset(str(i), data=tensors[name], track_times=False)


def make_keras3_stack():
    """Keras 3 save_weights and model.save (.keras): GRU(10) -> SimpleRNN(8) -> Dense(2, sigmoid)."""
    tensors = read_safetensors(os.path.join(OUT_DIR, "keras3_stack.keras.safetensors"))
    layers = [("gru", True), ("simple_rnn", True), ("dense", False)]
    weights_path = os.path.join(OUT_DIR, "keras3_stack.weights.h5")
    with h5py.File(weights_path, "w", track_order=False) as f:
        keras3_weights(f, tensors, layers)

    config = sequential([layer_config("GRU", "gru", 10, True, reset_after=True),
                         layer_config("SimpleRNN", "simple_rnn", 8, True),
                         layer_config("Dense", "dense", 2, True, activation="sigmoid")], [T, 6], keras3=True)
    metadata = {"keras_version": "3.8.0", "date_saved": "2025-01-01@00:00:00"}
    with open(weights_path, "rb") as f:
        weights = f.read()
    with zipfile.ZipFile(os.path.join(OUT_DIR, "keras3_stack.keras"), "w", zipfile.ZIP_STORED) as archive:
        for name, content in (("metadata.json", json.dumps(metadata).encode()),
                              ("config.json", json.dumps(config).encode()),
                              ("model.weights.h5", weights)):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), content)


def main():
    make_keras_lstm_h5()
    make_keras_stack_weights_h5()
    make_keras_gru_before_h5()
    make_keras3_stack()
    for name in ("keras_lstm.h5", "keras_stack.weights.h5", "keras_gru_before.h5", "keras3_stack.weights.h5"):
        with h5py.File(os.path.join(OUT_DIR, name), "r") as f:
            datasets = []
            f.visititems(lambda key, obj: datasets.append(key) if isinstance(obj, h5py.Dataset) else None)
            print(name, datasets)


if __name__ == "__main__":
    main()
