"""Demo data, gathered from every app that has a `demo.py` with a `seed()`.

`payam` sits below every app, so it cannot import them; instead
`manage.py seed_demo` asks each installed app, in INSTALLED_APPS order (which is
the dependency order), to seed its part and say which logins it made."""

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    note: str = ""


def demo_modules() -> Iterator[ModuleType]:
    for config in apps.get_app_configs():
        if config.module is not None and module_has_submodule(config.module, "demo"):
            module = import_module(f"{config.name}.demo")
            if hasattr(module, "seed"):
                yield module
