"""Inside a reused kernel: note what a fresh kernel looks like, and return to it.

This module's source is sent to the kernel and run there in a namespace of its own, so
that nothing of it appears among the notebook's names (see
:mod:`finmodel.reports._kernel`). It uses only the standard library and IPython; the
libraries whose settings it restores (matplotlib, numpy, pandas) are touched only when
the kernel has imported them. :func:`remember` runs once, right after the kernel
started and before any notebook; :func:`restore` before every later notebook.
:func:`remember` imports numpy (a report needs it anyway) but not matplotlib, which the
report does not draw with: about 0.16 s of CPU per kernel. matplotlib's settings as a
fresh import has them are its ``rcParamsOrig`` (the ``matplotlibrc`` values, which
``import matplotlib`` copies there before anything can change them) with the backend
the kernel's environment names (``MPLBACKEND``, as ``import matplotlib`` reads it).

What a report can change and :func:`restore` undoes: every name it defined (and ``In``,
``Out``, ``_``, the execution count, back to 1), open matplotlib figures, matplotlib's
rcParams, numpy's print options and floating-point error handling, pandas' options, the
working directory, ``sys.path``, environment variables, warning filters (and which
warnings were already shown: a report sees the same warnings a fresh kernel shows) and
the random generators of ``random`` and ``numpy.random`` (reseeded, as a fresh kernel
is). Imported modules stay imported: that is what reuse saves.

Not undone: what a notebook changes inside a library beyond these (logging handlers,
IPython extensions and display formatters, a library's own caches), and warning filters
a library adds when the first report imports it (numpy's, imported here first, are kept).
finmodel's module-level caches (``functools.cache`` in views.i18n, views.usage_text,
analysis._quantiles) depend only on their arguments (a language, a number pattern, a
sample size), never on a scenario file. matplotlib's interactive mode is on from the
start of a reused kernel that imported pyplot; a fresh kernel turns it on when pyplot
makes its first figure, so figures show the same.
"""

from __future__ import annotations

import os
import random
import sys
import warnings
from typing import Any

#: The attribute of the IPython shell holding what :func:`remember` noted.
_STATE = "_finmodel_fresh_state"


def _shell() -> Any:
    from IPython import get_ipython

    return get_ipython()


def remember() -> None:
    """Note the fresh kernel's state (imports numpy when the kernel has it: the warning
    filters numpy adds when imported are among those noted)."""
    state: dict[str, Any] = {}
    try:
        import numpy
    except ImportError:  # a kernel without it: nothing of its to restore
        pass
    else:
        state.update(printoptions=numpy.get_printoptions(), errstate=numpy.geterr())
    state.update(cwd=os.getcwd(), path=list(sys.path), environ=dict(os.environ),
                 filters=list(warnings.filters))
    setattr(_shell(), _STATE, state)


def restore() -> None:
    """Return the kernel to the state :func:`remember` noted."""
    shell = _shell()
    state: dict[str, Any] = getattr(shell, _STATE)
    shell.reset(new_session=True)  # names, In/Out, `_`; execution count back to 1 (and
    # it collects garbage)
    os.chdir(state["cwd"])
    sys.path[:] = state["path"]
    os.environ.clear()
    os.environ.update(state["environ"])
    _restore_libraries(state)
    warnings.resetwarnings()  # also forgets the warnings shown once already
    warnings.filters[:] = state["filters"]  # type: ignore[index]  # a list at run time
    random.seed()


def _restore_libraries(state: dict[str, Any]) -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        # as a fresh import has them; copy() does not resolve the backend (which would
        # import pyplot): the backend is restored apart
        rc = dict(matplotlib.rcParamsOrig.copy())
        rc.pop("backend", None)
        dict.update(matplotlib.rcParams, rc)  # as rc_context restores them
        if pyplot is not None:
            _restore_backend(matplotlib, pyplot, state)
    numpy = sys.modules.get("numpy")
    if numpy is not None and "printoptions" in state:
        numpy.set_printoptions(**state["printoptions"])
        numpy.seterr(**state["errstate"])
        numpy.random.seed()
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        with warnings.catch_warnings():  # deprecated options warn when reset
            warnings.simplefilter("ignore")
            pandas.reset_option("all")


_INLINE = ("module://matplotlib_inline.backend_inline", "inline")


def _restore_backend(matplotlib: Any, pyplot: Any, state: dict[str, Any]) -> None:
    """pyplot as a fresh kernel has it once imported: the kernel's backend (the inline
    one, which a fresh kernel's pyplot turns interactive mode on for: IPython's
    ``activate_matplotlib``), whatever backend the previous notebook chose."""
    backend = state["environ"].get("MPLBACKEND")  # what import matplotlib sets it to
    if isinstance(backend, str) and backend and matplotlib.get_backend() != backend:
        pyplot.switch_backend(backend)
    if matplotlib.get_backend() in _INLINE:
        matplotlib.interactive(True)
