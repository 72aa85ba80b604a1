"""The data-reading pipeline, flowing one way, each stage once per file:

  frames (readers: encodings, delimited + ragged, jsonfiles)   read any file into a raw frame
  -> spill                    join text that unquoted delimiters split into unnamed columns
  -> layouts -> roles         which layout (table, alpaca, messages ...), which column is what
  -> normalise (+ problems, checks, label_checks, conversations, lengths)
                              one clean example per usable row, problems listed
  -> splits / overlap         the validation hold-out, and train-vs-validation checks

`pipeline` ties the stages together: `inspect_file` (Data step, `studio inspect`) and
`load_job_data` (a training job), returning `results`; `stream` inspects a big CSV / TSV from
its first rows plus one streaming pass. Nothing here imports torch, transformers or gradio.
"""
from studio.data.pipeline import (ROLE_FIELDS, Inspection, JobData, inspect_file,  # noqa: F401
                                  load_job_data, read_table, roles_from_config,
                                  roles_to_config)
