"""rnnlab: RNNs and LSTMs compared, shown on models you train yourself.

Modules (import the one you need; TensorFlow loads only when a model is built):

- ``rnnlab.corpus``: the character corpus, its vocabulary, splits and tf.data windows
- ``rnnlab.models``: the vanilla RNN and LSTM character models, saving and loading
- ``rnnlab.cells``: the cell equations in numpy, equal to the Keras layers
- ``rnnlab.training``: training with budgets, held-out loss, safe checkpoints
- ``rnnlab.sampling``: text generation with temperature
- ``rnnlab.pretrained``: the shipped models and their training histories
- ``rnnlab.gradient_probes``: gradients through time from the models' own layers
- ``rnnlab.units``: saturation, forget time constants, units that follow the text
- ``rnnlab.clipping``: short SGD runs that explode, with and without clipping
- ``rnnlab.tasks``: long-lag memory tasks and the memory sweep
- ``rnnlab.results``: checked-in results of long runs, with their provenance
- ``rnnlab.baselines``: counting yardsticks, up to interpolated n-grams
- ``rnnlab.widgets``: the interactive views used in the lessons
"""

__version__ = "0.1.0"
