"""What Colab's ``enable_custom_widget_manager`` does, as colabtools implements it.

colabtools registers a hook on ``get_ipython().display_pub``. The hook receives every
``display_data`` message before it is sent and, where the message carries a widget view
(``application/vnd.jupyter.widget-view+json``), sets that mimetype's metadata to
``{"colab": {"custom_widget_manager": {"url": ...}}}``; Colab's front end loads the custom
manager (which can fetch third-party widget code such as plotly's) only for such
outputs. A cell's last value goes through IPython's display hook instead, as an
``execute_result``, and never meets this hook. Enabling twice registers one hook;
disabling removes it.
"""

from IPython import get_ipython

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Colab's own address of the manager; nothing here fetches it.
MANAGER_URL = ("https://ssl.gstatic.com/colaboratory-static/widgets/"
               "colab-cdn-widget-manager/bf763107cca07459/manager.min.js")

_installed_url = None  # the manager's address while the hook is registered


def enable_custom_widget_manager(version="5.0.0a"):
    if version != "5.0.0a":
        raise ValueError(f"Unknown widgets version: {version}")
    _install(MANAGER_URL)


def disable_custom_widget_manager():
    _install(None)


def _install(url):
    global _installed_url
    publisher = get_ipython().display_pub
    if url and not _installed_url:
        publisher.register_hook(_add_manager)
    elif not url and _installed_url:
        publisher.unregister_hook(_add_manager)
    _installed_url = url


def _add_manager(msg):
    """The display publisher's hook: returns the message, with the manager added to a
    widget view's metadata."""
    content = msg.get("content") or {}
    if _installed_url and content.get("data", {}).get(WIDGET_VIEW):
        metadata = content.setdefault("metadata", {}).setdefault(WIDGET_VIEW, {})
        metadata["colab"] = {"custom_widget_manager": {"url": _installed_url}}
    return msg
