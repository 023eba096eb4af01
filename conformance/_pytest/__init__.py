"""The pytest layer, one module per concern, in the order a run meets them:

* :mod:`.options`: the option table; settings (option > environment > ini); the run's
  :class:`~.state.RunState` built from them at configure time.
* :mod:`.state`: the typed run state in ``config.stash[RUN_STATE]``, and the run's target.
* :mod:`.items`: collection: case files become :class:`~.items.CaseFile` and
  :class:`~.items.CaseItem` (one per case, or per case x parameter).
* :mod:`.render`: the failure text of a case (verdict, differences, evidence).
* :mod:`.recorder`: the :class:`~.recorder.Recorder` plugin object: the run record from the
  reports, written once at the end, and the terminal summary.
* :mod:`.gate`: the run's exit code from the gate's decision.

:mod:`conformance.plugin` is the ``pytest11`` entry point; it registers the plugin
objects (:class:`~.recorder.Recorder`, :class:`conformance.safety.SafetyPlugin`).
"""
