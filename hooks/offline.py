"""Make the offline build (``make offline``) depend on nothing outside the site.

Material's offline plugin lets search run from ``file://``, where browsers refuse
web workers, by loading the ``iframe-worker`` shim, but from a CDN. This hook
runs before the plugin and points it at the copy in docs/assets/iframe-worker/
(from the npm registry: ``make vendor-iframe-worker``). The plugin sees a shim
already listed and adds none of its own. The online site is left untouched.
"""

from mkdocs.plugins import event_priority

SHIM = "assets/iframe-worker/shim.js"


def offline_enabled(config) -> bool:
    plugin = config["plugins"].get("material/offline") or config["plugins"].get(
        "offline"
    )
    return bool(plugin and plugin.config.enabled)


@event_priority(100)  # before the offline plugin's on_config
def on_config(config):
    if offline_enabled(config):
        polyfills = config["extra"].get("polyfills") or []
        config["extra"]["polyfills"] = [SHIM, *(p for p in polyfills if p != SHIM)]
    return config
