"""finmodel: multi-year budgets for public-private facilities.

Load a scenario file, project it, read the budget::

    >>> import finmodel
    >>> projection = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> projection.master_check
    True
"""

from finmodel.model.engine import KPIS, LINES, Evaluation, evaluate
from finmodel.model.errors import FinModelError, ParameterError, Problem, ScenarioError
from finmodel.model.projection import Check, Projection, project
from finmodel.model.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "KPIS",
    "LINES",
    "Check",
    "Evaluation",
    "FinModelError",
    "ParameterError",
    "Problem",
    "Projection",
    "Scenario",
    "ScenarioError",
    "__version__",
    "evaluate",
    "load_scenario",
    "project",
]
