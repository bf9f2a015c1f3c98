"""A stand-in for Colab's ``google.colab`` package, for ``make test-colab``.

It reproduces the one part of colabtools the lessons meet: ``output.
enable_custom_widget_manager()``, which adds Colab's custom widget manager to widget
outputs through a hook on IPython's display publisher (colabtools,
``google/colab/output/_widgets.py``). ``google/`` here has no ``__init__.py``, so that it
joins the ``google`` namespace of protobuf and TensorFlow instead of hiding it.
"""
