"""The data-reading pipeline, flowing one way:

  encodings -> delimited / jsonfiles / readers   read any file into a DataFrame
  -> layouts -> roles                            which column is what (text, label, messages ...)
  -> normalise (+ checks)                        one clean example per usable row, problems listed
  -> splits                                      the validation hold-out

`pipeline` ties the stages together: `inspect_file` (Data step, `studio inspect`) and
`load_job_data` (a training job). Nothing here imports torch, transformers or gradio.
"""
from studio.data.pipeline import (ROLE_FIELDS, Inspection, JobData, inspect_file,  # noqa: F401
                                  load_job_data, read_table, roles_from_config,
                                  roles_to_config)
