"""Demo data of the trainers app: the registry first, then the certificates built on it."""

import importlib


def seed(*, stdout) -> None:
    for name in ("trainers.demo.registry", "trainers.demo.certificates"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        module.seed(stdout=stdout)
