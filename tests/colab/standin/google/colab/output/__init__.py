"""``google.colab.output``: the custom widget manager switch (see ``_widgets``)."""

from google.colab.output._widgets import (
    disable_custom_widget_manager, enable_custom_widget_manager,
)

__all__ = ["disable_custom_widget_manager", "enable_custom_widget_manager"]
