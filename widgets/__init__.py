"""Interactive views for the rnnlab lessons (ipywidgets + plotly), imported as rnnlab.widgets.

Each view is a thin class over compute functions in ``rnnlab``: build it, then end a
cell with it (or ``display(view)``). Controls are private; the computed data is
public (``curves``, ``traces``, ``samples``, ...) so tests and curious learners can
check what is drawn.
"""

from rnnlab.widgets._base import use_static
from rnnlab.widgets.charts import bar_chart, line_chart
from rnnlab.widgets.connectivity import ConnectivityView
from rnnlab.widgets.gate_viewer import GateViewer
from rnnlab.widgets.gradient_flow import GradientFlow
from rnnlab.widgets.lag_explorer import LagExplorer
from rnnlab.widgets.text_comparer import TextComparer
from rnnlab.widgets.training_monitor import TrainingMonitor

__all__ = ["ConnectivityView", "GateViewer", "GradientFlow", "LagExplorer", "TextComparer",
           "TrainingMonitor", "bar_chart", "line_chart", "use_static"]
