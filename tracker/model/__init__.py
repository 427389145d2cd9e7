"""What a plan promises, as data: the plan schema (targets, tasks, measures, rules), months and periods, units and
their scales, the divisions (province, prefectures, counties), and the statuses with their thresholds, labels and
colours. Pure: no database, no files beyond the ones a loader hands in. A new kind of target or a new field of the
plan YAML starts here."""
