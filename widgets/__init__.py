"""Interactive views for the rnnlab lessons (ipywidgets + plotly), imported as rnnlab.widgets."""
