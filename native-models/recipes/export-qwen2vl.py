#!/usr/bin/env python3
"""Export VLM2Vec (Qwen2-VL) or GME-Qwen2-VL as the ONNX folder Trove's `qwen2-vl` family reads.

UNTESTED HERE: Trove's development machines have no torch, transformers, peft or model
weights and cannot download them, so this script has never been run by the project. It is
kept short and follows the reference code it names; run it on a machine with the weights
(a GPU helps, ~16 GB RAM for the 2B model in float32) and check its last step's output.

  pip install torch transformers==4.47.1 peft onnx onnxruntime huggingface_hub
  python export-qwen2vl.py --out vlm2vec-qwen2vl-2b                               # VLM2Vec (LoRA merged)
  python export-qwen2vl.py --preset gme --model Alibaba-NLP/gme-Qwen2-VL-2B-Instruct --out gme-2b
  npx trove model add vlm2vec-qwen2vl-2b

What it writes (main/ml/models/qwen2-vl/README.md):
  config.json, preprocessor_config.json, tokenizer.json   the base model's (processor.save_pretrained)
  trove_embedding.json                                    {"preset": "vlm2vec" | "gme"}
  onnx/vision_encoder.onnx, onnx/embed_tokens.onnx       REUSED from onnx-community/Qwen2-VL-2B-Instruct
                                                          (the transformers.js export: one image per call,
                                                          pixel_values [N,1176] + grid_thw -> image_features)
  onnx/text_model.onnx (+ .onnx_data)                     the language model WITHOUT lm_head and KV cache:
                                                          inputs_embeds [B,S,H], attention_mask [B,S],
                                                          position_ids [3,B,S] -> last_hidden_state [B,S,H]
Why reuse two graphs: VLM2Vec's LoRA targets the language model's projections only
(VLM2Vec src/arguments.py lora_target_modules: q/k/v/o_proj, gate/up/down_proj, ...; the
vision tower's modules are named qkv/proj/fc1/fc2, which those do not match); the
vision tower and token table are the base model's. The script checks that after merging and
stops if they differ (then export the vision encoder too, e.g. with transformers.js' script).
"""
import argparse
import json
import os
import shutil

import torch
from huggingface_hub import hf_hub_download
from transformers import AutoProcessor, Qwen2VLForConditionalGeneration

BASE = "Qwen/Qwen2-VL-2B-Instruct"
ONNX_COMMUNITY = "onnx-community/Qwen2-VL-2B-Instruct"


def language_model(model):
    # transformers < 4.52: model.model is the Qwen2VLModel (embed_tokens, layers, norm);
    # later versions moved it to model.model.language_model
    inner = model.model
    return getattr(inner, "language_model", inner)


def visual(model):
    return getattr(model, "visual", None) or model.model.visual


class TextModel(torch.nn.Module):
    """Qwen2VLModel's forward on inputs_embeds with M-RoPE position ids; last_hidden_state after the final norm."""

    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, inputs_embeds, attention_mask, position_ids):
        out = self.lm(inputs_embeds=inputs_embeds, attention_mask=attention_mask, position_ids=position_ids, use_cache=False, return_dict=True)
        return out.last_hidden_state


def load(args):
    model = Qwen2VLForConditionalGeneration.from_pretrained(args.model, torch_dtype=torch.float32, attn_implementation="eager")
    if args.preset == "vlm2vec" and args.lora:
        from peft import PeftModel  # VLM2Vec src/model/model.py MMEBModel.load: PeftModel.from_pretrained + merge_and_unload

        base_visual = {k: v.clone() for k, v in visual(model).state_dict().items()}
        base_embed = language_model(model).embed_tokens.weight.detach().clone()
        model = PeftModel.from_pretrained(model, args.lora).merge_and_unload()
        same = all(torch.equal(v, visual(model).state_dict()[k]) for k, v in base_visual.items())
        same = same and torch.equal(base_embed, language_model(model).embed_tokens.weight)
        if not same:
            raise SystemExit("the LoRA changed the vision tower or the token table: export those graphs too (do not reuse onnx-community's)")
    return model.eval()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--preset", choices=["vlm2vec", "gme"], default="vlm2vec")
    p.add_argument("--model", default=BASE, help="the base model (vlm2vec) or the full model (gme)")
    p.add_argument("--lora", default="TIGER-Lab/VLM2Vec-Qwen2VL-2B", help="VLM2Vec's LoRA checkpoint; '' for none")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)

    model = load(args)
    AutoProcessor.from_pretrained(BASE).save_pretrained(args.out)  # preprocessor_config.json, tokenizer.json, ...
    model.config.save_pretrained(args.out)
    with open(os.path.join(args.out, "trove_embedding.json"), "w") as f:
        json.dump({"preset": args.preset, "provenance": f"{args.model} + {args.lora or 'no LoRA'}, exported by export-qwen2vl.py"}, f, indent=2)

    for name in ["vision_encoder", "embed_tokens"]:
        for suffix in ["", "_fp16"]:
            src = hf_hub_download(ONNX_COMMUNITY, f"onnx/{name}{suffix}.onnx")
            shutil.copy(src, os.path.join(args.out, "onnx", f"{name}{suffix}.onnx"))

    lm = language_model(model)
    H = model.config.hidden_size
    embeds = torch.randn(1, 8, H)
    mask = torch.ones(1, 8, dtype=torch.int64)
    pos = torch.arange(8).view(1, 1, 8).expand(3, 1, 8).contiguous()
    path = os.path.join(args.out, "onnx", "text_model.onnx")
    torch.onnx.export(
        TextModel(lm), (embeds, mask, pos), path, opset_version=18,
        input_names=["inputs_embeds", "attention_mask", "position_ids"], output_names=["last_hidden_state"],
        dynamic_axes={"inputs_embeds": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "position_ids": {1: "batch", 2: "seq"}, "last_hidden_state": {0: "batch", 1: "seq"}},
    )
    import onnx  # > 2 GB: weights to the side file Trove (and onnxruntime) load by path

    onnx.save_model(onnx.load(path), path, save_as_external_data=True, all_tensors_to_one_file=True, location="text_model.onnx_data")

    # check: the ONNX text model against torch on a random prompt with M-RoPE positions
    import onnxruntime as ort

    x = torch.randn(2, 12, H)
    m = torch.ones(2, 12, dtype=torch.int64)
    m[1, 9:] = 0
    ps = torch.stack([torch.arange(12), torch.arange(12) // 3, torch.arange(12) % 3]).unsqueeze(1).expand(3, 2, 12).contiguous()
    with torch.no_grad():
        ref = TextModel(lm)(x, m, ps).numpy()
    got = ort.InferenceSession(path).run(None, {"inputs_embeds": x.numpy(), "attention_mask": m.numpy(), "position_ids": ps.numpy()})[0]
    print("text_model max |onnx - torch| on real tokens:", float(abs(got - ref)[m.numpy() == 1].max()))


if __name__ == "__main__":
    main()
